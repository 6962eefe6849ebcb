using Kiln.NN;

namespace Kiln.Scripting;

public static partial class LayerLowerings
{
    private static readonly Dictionary<Type, LayerLowering> Table = new()
    {
    };
}
