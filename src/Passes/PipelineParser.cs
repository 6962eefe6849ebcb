namespace Kiln.Passes;

/// <summary>Reads pipeline strings such as <c>O1,autodiff{wrt=x,fc1.weight seed=ones},dce</c> into passes.</summary>
internal static class PipelineParser
{
    public static IReadOnlyList<IGraphPass> Parse(string pipeline)
    {
        var passes = new List<IGraphPass>();
        if (string.IsNullOrWhiteSpace(pipeline)) return passes;
        foreach (var item in SplitTopLevel(pipeline, ','))
        {
            var (name, options) = SplitOptions(item);
            if (PassRegistry.Pipeline(name) is { } named)
            {
                if (options is not null) throw new ArgumentException($"pipeline '{name}' takes no options");
                passes.AddRange(named.Select(p => Create(p, PassOptions.None)));
            }
            else
            {
                passes.Add(Create(name, options is null ? PassOptions.None : ParseOptions(name, options)));
            }
        }
        return passes;
    }

    private static IGraphPass Create(string name, PassOptions options)
    {
        var info = PassRegistry.Find(name) ?? throw new ArgumentException(
            $"unknown pass '{name}'; the passes are {string.Join(", ", PassRegistry.All.Select(p => p.Name))} and the pipelines {string.Join(", ", PassRegistry.PipelineNames)}");
        return info.Create(options);
    }

    private static (string Name, string? Options) SplitOptions(string item)
    {
        int brace = item.IndexOf('{', StringComparison.Ordinal);
        if (brace < 0) return (item.Trim(), null);
        if (!item.EndsWith('}')) throw new ArgumentException($"pass '{item}': options must end with '}}'");
        return (item[..brace].Trim(), item[(brace + 1)..^1]);
    }

    private static PassOptions ParseOptions(string pass, string text)
    {
        var options = new PassOptions();
        foreach (var option in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"pass '{pass}': option '{option}' is not name=value");
            options.Set(option[..eq], option[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries));
        }
        return options;
    }

    /// <summary>Splits at <paramref name="separator"/> outside braces; empty items are errors.</summary>
    private static List<string> SplitTopLevel(string text, char separator)
    {
        var items = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : separator;
            if (c == '{') depth++;
            else if (c == '}' && --depth < 0) throw new ArgumentException($"pipeline '{text}': unbalanced '}}' at {i}");
            else if (c == separator && depth == 0)
            {
                var item = text[start..i].Trim();
                if (item.Length == 0) throw new ArgumentException($"pipeline '{text}': empty pass name at {start}");
                items.Add(item);
                start = i + 1;
            }
        }
        if (depth != 0) throw new ArgumentException($"pipeline '{text}': unbalanced '{{'");
        return items;
    }
}
