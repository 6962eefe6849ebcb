namespace Kiln;

/// <summary>How <see cref="ScriptModule.Save(string, SaveOptions)"/> writes a <c>.kiln</c> file.</summary>
public sealed record SaveOptions
{
    /// <summary>
    /// Compile every fused group the stored graphs call for this target and store the kernels as one native library in
    /// the file (needs libLLVM and a C compiler, <c>cc</c>, at save time only). <see cref="KernelTarget.None"/> stores none.
    /// </summary>
    public KernelTarget Target { get; init; }
}
