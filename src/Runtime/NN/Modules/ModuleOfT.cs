namespace Kiln.NN;

/// <summary>
/// A module with a typed forward pass, so containers such as <see cref="Sequential"/> can call it
/// (TorchSharp's <c>Module&lt;T, TResult&gt;</c>). Built-in single-input layers are <c>Module&lt;Tensor, Tensor&gt;</c>.
/// </summary>
/// <typeparam name="T">The input type.</typeparam>
/// <typeparam name="TResult">The output type.</typeparam>
public abstract class Module<T, TResult> : Module
{
    /// <summary>The forward pass.</summary>
    public abstract TResult Forward(T input);
}
