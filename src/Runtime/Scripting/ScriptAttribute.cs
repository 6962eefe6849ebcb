namespace Kiln;

/// <summary>
/// Marks a <see cref="NN.Module"/> class whose <c>Forward</c> <c>Jit.Script</c> compiles from its C# source
/// (captured at build time by the Kiln source generator). The Kiln analyzer checks the class at build time and
/// reports what the compiler cannot handle (<c>KILN0001</c>…, see docs/diagnostics.md).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ScriptAttribute : Attribute
{
}
