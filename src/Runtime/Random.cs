namespace Kiln;

/// <summary>
/// The default random generator, used by every random op that is not given a <see cref="Generator"/>
/// (<c>torch.manual_seed</c>, <c>torch.initial_seed</c>, <c>torch.seed</c>).
/// </summary>
/// <remarks>
/// Code that imports both <c>System</c> and <c>Kiln</c> sees two classes named <c>Random</c>; write
/// <c>Kiln.Random.ManualSeed(0)</c> there.
/// </remarks>
public static class Random
{
    /// <summary>The generator random ops use by default.</summary>
    public static Generator DefaultGenerator { get; } = new();

    /// <summary>Seeds the default generator, so the random ops that follow draw the same numbers on every run.</summary>
    /// <returns>The default generator.</returns>
    public static Generator ManualSeed(long seed) => DefaultGenerator.ManualSeed(seed);

    /// <summary>The seed the default generator was last seeded with.</summary>
    public static long InitialSeed() => DefaultGenerator.InitialSeed;

    /// <summary>Seeds the default generator from a non-deterministic source.</summary>
    /// <returns>The new seed.</returns>
    public static long Seed() => DefaultGenerator.Seed();
}
