using Kiln.IR;

namespace Kiln.Passes;

/// <summary>
/// Evaluates one registered op on constant inputs for constant folding. The IR cannot run kernels (they
/// live in the runtime, above the passes), so the runtime supplies this; without one only scalar
/// primitives and algebraic identities fold.
/// </summary>
/// <param name="op">The op to run.</param>
/// <param name="inputs">Its inputs, every one an inline constant of concrete shape.</param>
/// <param name="attrs">Its attributes.</param>
/// <returns>The results as inline constants, or null when the op cannot be folded (random, too large).</returns>
public delegate DenseConstant[]? ConstantEvaluator(OpDef op, IReadOnlyList<DenseConstant> inputs, Attrs attrs);

/// <summary>What passes share while a pipeline runs: services from the layers above and a log of what each did.</summary>
public sealed class PassContext
{
    /// <summary>Evaluates registry ops on constants (supplied by the runtime), or null.</summary>
    public ConstantEvaluator? Evaluator { get; init; }

    /// <summary>Where passes explain what they did and did not do (<c>kiln opt --explain</c>), or null.</summary>
    public TextWriter? Log { get; init; }
}
