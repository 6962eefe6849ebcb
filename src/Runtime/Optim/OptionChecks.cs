using System.Globalization;

namespace Kiln.Optim;

/// <summary>The checks torch's optimisers make on their options, applied to every param group by the option's name.</summary>
internal static class OptionChecks
{
    private static readonly string[] NonNegative = ["lr", "eps", "weight_decay", "momentum", "alpha", "lr_decay", "initial_accumulator_value"];

    /// <exception cref="ArgumentException">An option is out of range or of the wrong type.</exception>
    internal static void Validate(string optimizer, ParamGroup group, int index)
    {
        string where = $"{optimizer}: param group {index}";
        try
        {
            foreach (var name in NonNegative)
                if (group.HasOption(name) && !(group.GetDouble(name) >= 0))
                    throw new ArgumentException($"{where}: invalid {name} {Format(group.GetDouble(name))} (must be >= 0)");
            if (group.HasOption("betas"))
            {
                var (beta1, beta2) = group.GetBetas("betas");
                CheckBeta(where, 0, beta1);
                CheckBeta(where, 1, beta2);
            }
            if (group.HasOption("nesterov") && group.GetBool("nesterov")
                && (!(group.GetDouble("momentum") > 0) || group.GetDouble("dampening") != 0))
                throw new ArgumentException($"{where}: nesterov momentum requires a momentum > 0 and zero dampening " +
                    $"(got momentum {Format(group.GetDouble("momentum"))}, dampening {Format(group.GetDouble("dampening"))})");
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"{where}: {e.Message}", e);
        }
    }

    private static void CheckBeta(string where, int which, double beta)
    {
        if (!(beta >= 0 && beta < 1))
            throw new ArgumentException($"{where}: invalid beta parameter at index {which}: {Format(beta)} (must be in [0, 1))");
    }

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
