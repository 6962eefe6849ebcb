using System.CommandLine;
using Kiln.Cli;

var root = new RootCommand("kiln: the Kiln deep-learning framework's command-line tool")
{
    DemoCommand.Create(),
    Kiln.Cli.Opt.OptCommand.Create(),
    Kiln.Cli.Run.RunCommand.Create(),
    Kiln.Cli.Inspect.InspectCommand.Create(),
};
return root.Parse(args).Invoke();
