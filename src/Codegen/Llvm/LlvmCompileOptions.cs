namespace Kiln.Codegen;

/// <summary>How <see cref="LlvmJit"/> and <see cref="LlvmObjectCompiler"/> compile a module.</summary>
public sealed record LlvmCompileOptions
{
    /// <summary>The defaults: module "kiln_module", pipeline "default&lt;O3&gt;", optimised IR not kept.</summary>
    public static LlvmCompileOptions Default { get; } = new();

    /// <summary>The module's name, used in error messages.</summary>
    public string ModuleName { get; init; } = "kiln_module";

    /// <summary>The new pass manager pipeline, in <c>opt -passes=</c> syntax.</summary>
    public string PassPipeline { get; init; } = "default<O3>";

    /// <summary>Whether the compiled module keeps its optimised IR as text (<see cref="LlvmCompiledModule.OptimizedIr"/>).</summary>
    public bool KeepOptimizedIr { get; init; }
}
