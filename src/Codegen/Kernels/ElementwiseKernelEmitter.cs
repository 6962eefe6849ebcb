using System.Text;
using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// Writes the LLVM IR module of a checked elementwise graph for one <see cref="KernelLayout"/>: the function
/// <c>void @kernel(ptr buffers, ptr shape, ptr strides, i64 rank, i64 begin, i64 end)</c> computing every output for the
/// linear output elements [begin, end) of a shape of rank ≥ 1. Operand k (the inputs, then the outputs) starts at
/// <c>buffers[k]</c> and has element strides <c>strides[k·rank ..]</c> (0 on broadcast dims). The loop nest splits
/// <c>begin</c> into a multi-index once, then runs the innermost dim as a tight loop (contiguous and broadcast inputs
/// with constant steps, so it vectorises) and carries into the outer dims between rows. Outputs are contiguous. An
/// in-place source (<see cref="ElementwiseKernelSource.InPlace"/>) writes output 0 over input 0, which must then be contiguous.
/// </summary>
internal static class ElementwiseKernelEmitter
{
    /// <summary>The exported function's name.</summary>
    internal const string Symbol = "kernel";

    /// <summary>The module for <paramref name="source"/> read with <paramref name="layout"/>.</summary>
    internal static string Emit(ElementwiseKernelSource source, KernelLayout layout)
    {
        var graph = source.Graph;
        var inputs = graph.Body.Params;
        int operands = inputs.Count + graph.Outputs.Count;
        bool isFloat32 = source.DType == DType.Float32;
        var row = new KernelBody(isFloat32, "r");
        var element = new KernelBody(isFloat32, "e");
        var values = new Dictionary<Value, string>();
        for (int k = 0; k < inputs.Count; k++)
            values[inputs[k]] = LoadInput(k, source.InputDTypes[k] == DType.Bool, layout.Steps[k], row, element);
        foreach (var node in graph.Body.Nodes)
        {
            if (node.Kind == NodeKind.Constant)
            {
                values[node.Result] = element.Const(((DenseConstant)node.Constant!).Values[0]);
                continue;
            }
            var x = node.Operands.Select(o => values[o]).ToArray();
            values[node.Result] = KernelOps.Table[node.Op!.Name].Emit(element, x, node.Attrs);
        }
        for (int m = 0; m < graph.Outputs.Count; m++)
        {
            string at = element.Emit($"getelementptr inbounds {element.T}, ptr %row{inputs.Count + m}, i64 %j");
            element.Statement($"store {element.T} {values[graph.Outputs[m]]}, ptr {at}, align {element.ElementSize}");
        }
        return Module(source, operands, row, element);
    }

    /// <summary>Reads input <paramref name="k"/>: in the inner loop, or once per row when broadcast along it.</summary>
    private static string LoadInput(int k, bool isBool, InnerStep step, KernelBody row, KernelBody element) =>
        (step == InnerStep.Broadcast ? row : element).LoadInput(k, isBool, step, "%j");

    private static string Module(ElementwiseKernelSource source, int operands, KernelBody row, KernelBody element)
    {
        var graph = source.Graph;
        var ir = new StringBuilder();
        ir.AppendLine($"; Kiln elementwise kernel of @{graph.Name} ({source.DType.Name()}{(source.InPlace ? ", output 0 in place of input 0" : "")})");
        ir.AppendLine($"define void @{Symbol}(ptr noalias nocapture readonly %buffers, ptr noalias nocapture readonly %shape, ptr noalias nocapture readonly %strides, i64 %rank, i64 %begin, i64 %end) {{");
        ir.AppendLine("entry:");
        ir.AppendLine("  %idx = alloca i64, i64 8");
        ir.AppendLine($"  %off = alloca i64, i64 {operands}");
        ir.AppendLine("  %has = icmp slt i64 %begin, %end");
        ir.AppendLine("  br i1 %has, label %init, label %exit");
        ir.AppendLine("init:");
        ir.AppendLine("  %last = sub i64 %rank, 1");
        for (int k = 0; k < operands; k++)
        {
            ir.AppendLine($"  %offp{k} = getelementptr i64, ptr %off, i64 {k}");
            ir.AppendLine($"  store i64 0, ptr %offp{k}");
            ir.AppendLine($"  %bufp{k} = getelementptr ptr, ptr %buffers, i64 {k}");
            ir.AppendLine($"  %buf{k} = load ptr, ptr %bufp{k}");
            ir.AppendLine($"  %sfirst{k} = mul i64 %rank, {k}");
            ir.AppendLine($"  %sbase{k} = getelementptr i64, ptr %strides, i64 %sfirst{k}");
            ir.AppendLine($"  %isp{k} = getelementptr i64, ptr %sbase{k}, i64 %last");
            ir.AppendLine($"  %step{k} = load i64, ptr %isp{k}");
        }
        ir.AppendLine("  br label %decompose");

        // begin → multi-index (innermost dim last) and each operand's element offset.
        ir.AppendLine("decompose:");
        ir.AppendLine("  %d = phi i64 [ %last, %init ], [ %dnext, %decompose ]");
        ir.AppendLine("  %rem = phi i64 [ %begin, %init ], [ %quot, %decompose ]");
        ir.AppendLine("  %sizep = getelementptr i64, ptr %shape, i64 %d");
        ir.AppendLine("  %size = load i64, ptr %sizep");
        ir.AppendLine("  %quot = udiv i64 %rem, %size");
        ir.AppendLine("  %digit = urem i64 %rem, %size");
        ir.AppendLine("  %idxp = getelementptr i64, ptr %idx, i64 %d");
        ir.AppendLine("  store i64 %digit, ptr %idxp");
        AddToOffsets(ir, operands, "dc", "%d", "%digit", "add");
        ir.AppendLine("  %dnext = sub i64 %d, 1");
        ir.AppendLine("  %more = icmp sge i64 %dnext, 0");
        ir.AppendLine("  br i1 %more, label %decompose, label %row");

        // One run of the innermost dim: from its current index to its end or to `end`.
        ir.AppendLine("row:");
        ir.AppendLine("  %pos = phi i64 [ %begin, %decompose ], [ %posnext, %carry ]");
        ir.AppendLine("  %i0p = getelementptr i64, ptr %idx, i64 %last");
        ir.AppendLine("  %i0 = load i64, ptr %i0p");
        ir.AppendLine("  %np = getelementptr i64, ptr %shape, i64 %last");
        ir.AppendLine("  %n = load i64, ptr %np");
        ir.AppendLine("  %avail = sub i64 %n, %i0");
        ir.AppendLine("  %left = sub i64 %end, %pos");
        ir.AppendLine("  %short = icmp ult i64 %left, %avail");
        ir.AppendLine("  %len = select i1 %short, i64 %left, i64 %avail");
        for (int k = 0; k < operands; k++)
        {
            bool isBool = k < source.InputDTypes.Length && source.InputDTypes[k] == DType.Bool;
            // An in-place output is stored through input 0's row pointer: LLVM then knows each store hits the element
            // just loaded, instead of checking at run time that two buffers do not overlap (they do).
            int at = source.InPlace && k == source.InputDTypes.Length ? 0 : k;
            ir.AppendLine($"  %ro{k} = load i64, ptr %offp{at}");
            ir.AppendLine($"  %row{k} = getelementptr inbounds {(isBool ? "i8" : row.T)}, ptr %buf{at}, i64 %ro{k}");
        }
        ir.Append(row.Code);
        ir.AppendLine("  br label %inner");
        ir.AppendLine("inner:");
        ir.AppendLine("  %j = phi i64 [ 0, %row ], [ %jnext, %inner ]");
        ir.Append(element.Code);
        ir.AppendLine("  %jnext = add nuw nsw i64 %j, 1");
        ir.AppendLine("  %rowdone = icmp eq i64 %jnext, %len");
        ir.AppendLine("  br i1 %rowdone, label %advance, label %inner");
        ir.AppendLine("advance:");
        ir.AppendLine("  %posnext = add i64 %pos, %len");
        ir.AppendLine("  %finished = icmp sge i64 %posnext, %end");
        ir.AppendLine("  br i1 %finished, label %exit, label %wrap");

        // Back to index 0 of the innermost dim, then carry into the outer dims.
        ir.AppendLine("wrap:");
        ir.AppendLine("  store i64 0, ptr %i0p");
        AddToOffsets(ir, operands, "wr", "%last", "%i0", "sub");
        ir.AppendLine("  %dstart = sub i64 %rank, 2");
        ir.AppendLine("  br label %carry");
        ir.AppendLine("carry:");
        ir.AppendLine("  %cd = phi i64 [ %dstart, %wrap ], [ %cdnext, %overflow ]");
        ir.AppendLine("  %cip = getelementptr i64, ptr %idx, i64 %cd");
        ir.AppendLine("  %ci = load i64, ptr %cip");
        ir.AppendLine("  %ci1 = add i64 %ci, 1");
        ir.AppendLine("  store i64 %ci1, ptr %cip");
        AddToOffsets(ir, operands, "ca", "%cd", "1", "add");
        ir.AppendLine("  %cnp = getelementptr i64, ptr %shape, i64 %cd");
        ir.AppendLine("  %cn = load i64, ptr %cnp");
        ir.AppendLine("  %full = icmp eq i64 %ci1, %cn");
        ir.AppendLine("  br i1 %full, label %overflow, label %row");
        ir.AppendLine("overflow:");
        ir.AppendLine("  store i64 0, ptr %cip");
        AddToOffsets(ir, operands, "ov", "%cd", "%cn", "sub");
        ir.AppendLine("  %cdnext = sub i64 %cd, 1");
        ir.AppendLine("  br label %carry");
        ir.AppendLine("exit:");
        ir.AppendLine("  ret void");
        ir.AppendLine("}");
        foreach (var declaration in row.Declarations.Union(element.Declarations))
            ir.AppendLine(declaration);
        return ir.ToString();
    }

    /// <summary>For every operand: <c>off[k] (opcode)= count · strides[k][dim]</c>.</summary>
    private static void AddToOffsets(StringBuilder ir, int operands, string tag, string dim, string count, string opcode)
    {
        for (int k = 0; k < operands; k++)
        {
            ir.AppendLine($"  %{tag}sp{k} = getelementptr i64, ptr %sbase{k}, i64 {dim}");
            ir.AppendLine($"  %{tag}s{k} = load i64, ptr %{tag}sp{k}");
            ir.AppendLine($"  %{tag}m{k} = mul i64 {count}, %{tag}s{k}");
            ir.AppendLine($"  %{tag}o{k} = load i64, ptr %offp{k}");
            ir.AppendLine($"  %{tag}n{k} = {opcode} i64 %{tag}o{k}, %{tag}m{k}");
            ir.AppendLine($"  store i64 %{tag}n{k}, ptr %offp{k}");
        }
    }
}
