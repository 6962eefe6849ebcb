using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Kiln.Frontend.Analyzers;

/// <summary>
/// Checks that a [Script] class stays inside the subset of C# the script frontend compiles: the class rules
/// (a module with one <c>Forward</c> of graph-carriable types), then <c>Forward</c> and every method with source in
/// the compilation that it calls (and the <c>Forward</c> of user modules held in fields), walked as
/// <see cref="IOperation"/> trees. Calls into Kiln and the BCL basics (Math, numbers, lists, arrays, tuples) are
/// accepted without looking inside. The build-time analyzer and <c>Jit.Script</c> run this same code.
/// </summary>
public static class ScriptSubsetChecker
{
    /// <summary>Checks <paramref name="scriptClass"/>, a class of <paramref name="compilation"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ScriptCheckResult Check(Compilation compilation, INamedTypeSymbol scriptClass, CancellationToken cancellation = default)
    {
        if (compilation is null) throw new ArgumentNullException(nameof(compilation));
        if (scriptClass is null) throw new ArgumentNullException(nameof(scriptClass));
        var walk = new ScriptWalk(new ScriptSymbols(compilation), cancellation);
        var forward = ScriptClassRules.Check(walk.Symbols, scriptClass, walk.Diagnostics);
        walk.UseType(scriptClass);
        if (forward is not null && walk.Symbols.HasSource(forward)) walk.Follow(forward);
        walk.Run();
        var diagnostics = walk.Diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath ?? "", StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
        return new ScriptCheckResult(forward, diagnostics, walk.UsedTypes.ToImmutableArray());
    }
}
