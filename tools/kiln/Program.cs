using System.CommandLine;
using System.CommandLine.Help;
using Kiln.Cli;

// A plain Command rather than RootCommand: RootCommand takes its name from the entry assembly (Kiln.Cli), and help
// must say "kiln", the command users type.
var root = new Command("kiln", "kiln: the Kiln deep-learning framework's command-line tool")
{
    new HelpOption(),
    new VersionOption(),
    Kiln.Cli.Compile.CompileCommand.Create(),
    Kiln.Cli.Run.RunCommand.Create(),
    Kiln.Cli.Inspect.InspectCommand.Create(),
    Kiln.Cli.Bench.BenchCommand.Create(),
    Kiln.Cli.Opt.OptCommand.Create(),
    DemoCommand.Create(),
};
return root.Parse(args).Invoke();
