namespace Kiln.Cli.Tests;

/// <summary>
/// Tests that seed or draw from Kiln's default random generator (the demo's training, models built in tests): they run
/// one at a time, since a draw in a parallel test would change a seeded sequence.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultGeneratorCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "default generator";
}
