namespace Kiln.Frontend.Analyzers;

/// <summary>The stable IDs of the [Script] diagnostics (docs/diagnostics.md lists each with an example and the fix).</summary>
public static class ScriptDiagnosticIds
{
    /// <summary>The prefix every ID starts with.</summary>
    public const string Prefix = "KILN";
}
