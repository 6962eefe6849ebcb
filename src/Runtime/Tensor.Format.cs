namespace Kiln;

public partial class Tensor
{
    /// <summary>
    /// The tensor's values as PyTorch prints them, e.g. <c>tensor([1.5000, 2.0000])</c> or
    /// <c>tensor([1, 2], dtype=torch.int32)</c>; tensors of more than 1000 elements are summarised with <c>...</c>.
    /// </summary>
    public override string ToString() => TensorFormatter.Format(this);
}
