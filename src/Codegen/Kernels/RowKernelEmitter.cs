using System.Globalization;
using System.Text;
using Kiln.IR;

namespace Kiln.Codegen.Kernels;

/// <summary>
/// Writes the LLVM IR module of a checked row group for one <see cref="KernelLayout"/>: the function
/// <c>void @kernel(ptr buffers, ptr outer, ptr strides, i64 rank, i64 c, i64 begin, i64 end)</c> computing rows
/// [begin, end) of the domain S, seen as <c>rows × c</c>. <c>outer</c> holds the (coalesced) sizes of S's leading dims,
/// <c>rank</c> of them (≥ 1), and row r is their linear index. Input k starts at <c>buffers[k]</c> with element strides
/// <c>strides[k·(rank+1) ..]</c>: one per outer dim, then the stride along the row (0 where broadcast). The outputs
/// follow the inputs in <c>buffers</c> and are contiguous: an S-shaped output's row r starts at element r·c, a
/// ROW(S)-shaped output's value is element r. Per row: the row-constant inputs are loaded once, then one loop over the
/// row per reduction in dependence order (elementwise values recomputed from the inputs and earlier row values; sums
/// accumulate with <c>fadd reassoc</c> and extrema with the NaN-propagating <c>llvm.maximum</c>/<c>llvm.minimum</c>, so
/// LLVM vectorises them), then one loop writing the S-shaped outputs. When the outputs need the last reduction's operand
/// (softmax's exp), that reduction's loop stores it into an output's row and the output loop reads it back instead of
/// computing it again. An in-place source writes output 0 through input 0's pointer, which must then be contiguous along
/// the row.
/// </summary>
internal static class RowKernelEmitter
{
    /// <summary>The exported function's name (as for elementwise kernels, so the cache and the AOT library treat both alike).</summary>
    internal const string Symbol = ElementwiseKernelEmitter.Symbol;

    /// <summary>The module for <paramref name="source"/> read with <paramref name="layout"/>.</summary>
    internal static string Emit(RowKernelSource source, KernelLayout layout) => new RowModule(source, source.Normalize(layout)).Write();

    /// <summary>One module being written: the row values, the loops over the row, and the text around them.</summary>
    private sealed class RowModule
    {
        private readonly RowKernelSource source;
        private readonly KernelLayout layout;
        private readonly bool isFloat32;
        private readonly Dictionary<Value, string> rowValues = [];
        private readonly Dictionary<Value, int> stages = [];
        private readonly KernelBody[] segments;
        private readonly List<KernelBody> bodies = [];
        private readonly StringBuilder loops = new();

        // The last reduction's operand, kept in an output's row by that reduction's loop for the output loop to read back
        // instead of computing it again (softmax's exp): set when the output loop uses it.
        private Value? kept;
        private string? keptRow;
        private bool keptUsed;
        private bool readsInput0;

        internal RowModule(RowKernelSource source, KernelLayout layout)
        {
            this.source = source;
            this.layout = layout;
            isFloat32 = source.DType == DType.Float32;
            segments = [.. Enumerable.Range(0, source.Reductions.Length + 1).Select(s => new KernelBody(isFloat32, $"s{s}_"))];
            bodies.AddRange(segments);
        }

        private string T => isFloat32 ? "float" : "double";

        private int Inputs => source.InputDTypes.Length;

        internal string Write()
        {
            PlanRowValues();
            var final = source.RowOutputs.Any(r => !r) ? PlanOutputLoop() : null;
            string block = "rowstart";
            for (int p = 0; p < source.Reductions.Length; p++) block = ReductionLoop(p, block);
            if (final is not null) AppendOutputLoop(final, block);
            else loops.AppendLine("  br label %rowend").AppendLine("rowend:");
            var outputs = source.Graph.Outputs;
            for (int m = 0; m < outputs.Count; m++)
            {
                if (source.RowOutputs[m]) loops.AppendLine(CultureInfo.InvariantCulture, $"  store {T} {rowValues[outputs[m]]}, ptr %orow{m}, align {Size}");
            }
            return Module();
        }

        private int Size => isFloat32 ? 4 : 8;

        /// <summary>
        /// Which values are constant along a row (broadcast inputs, constants, reductions, ops of those) and after which
        /// reduction each is known; emits each into the row code after that reduction's loop.
        /// </summary>
        private void PlanRowValues()
        {
            var inputs = source.Graph.Body.Params;
            for (int k = 0; k < Inputs; k++)
            {
                if (layout.Steps[k] != InnerStep.Broadcast) continue;
                stages[inputs[k]] = 0;
                rowValues[inputs[k]] = Load(segments[0], k, null);
            }
            foreach (var node in source.Graph.Body.Nodes)
            {
                int reduction = Array.IndexOf(source.Reductions, node);
                if (node.Kind == NodeKind.Constant)
                {
                    stages[node.Result] = 0;
                    rowValues[node.Result] = segments[0].Const(((DenseConstant)node.Constant!).Values[0]);
                }
                else if (reduction >= 0)
                {
                    var after = segments[reduction + 1];
                    stages[node.Result] = reduction + 1;
                    rowValues[node.Result] = node.Op!.Name == "mean" ? after.Div($"%red{reduction}", "%cfloat") : $"%red{reduction}";
                }
                else if (node.Operands.All(stages.ContainsKey))
                {
                    int stage = node.Operands.Select(o => stages[o]).DefaultIfEmpty(0).Max();
                    stages[node.Result] = stage;
                    rowValues[node.Result] = KernelOps.Table[node.Op!.Name].Emit(segments[stage], [.. node.Operands.Select(o => rowValues[o])], node.Attrs);
                }
            }
        }

        /// <summary>The loop of reduction <paramref name="p"/>, entered from <paramref name="from"/>; returns the block after it.</summary>
        private string ReductionLoop(int p, string from)
        {
            var node = source.Reductions[p];
            var body = NewBody($"p{p}_");
            string index = $"%j{p}";
            string x = Element(node.Operands[0], body, [], index);
            if (kept is not null && p == source.Reductions.Length - 1)
                body.Statement($"store {T} {x}, ptr {body.Emit($"getelementptr inbounds {T}, ptr {keptRow}, i64 {index}")}, align {Size}");
            string start = body.Const(node.Op!.Name switch { "amax" => double.NegativeInfinity, "amin" => double.PositiveInfinity, _ => 0 });
            string next = node.Op.Name switch
            {
                "amax" => body.Intrinsic("maximum", $"%acc{p}", x),
                "amin" => body.Intrinsic("minimum", $"%acc{p}", x),
                // reassoc lets LLVM keep one partial sum per vector lane (the result matches within rounding, not bitwise).
                _ => body.Emit($"fadd reassoc {T} %acc{p}, {x}"),
            };
            var ir = loops;
            ir.AppendLine(CultureInfo.InvariantCulture, $"  br i1 %hasc, label %p{p}, label %p{p}done");
            ir.AppendLine(CultureInfo.InvariantCulture, $"p{p}:");
            ir.AppendLine(CultureInfo.InvariantCulture, $"  {index} = phi i64 [ 0, %{from} ], [ {index}n, %p{p} ]");
            ir.AppendLine(CultureInfo.InvariantCulture, $"  %acc{p} = phi {T} [ {start}, %{from} ], [ {next}, %p{p} ]");
            ir.Append(body.Code);
            ir.AppendLine(CultureInfo.InvariantCulture, $"  {index}n = add nuw nsw i64 {index}, 1");
            ir.AppendLine(CultureInfo.InvariantCulture, $"  %p{p}end = icmp eq i64 {index}n, %c");
            ir.AppendLine(CultureInfo.InvariantCulture, $"  br i1 %p{p}end, label %p{p}done, label %p{p}");
            ir.AppendLine(CultureInfo.InvariantCulture, $"p{p}done:");
            ir.AppendLine(CultureInfo.InvariantCulture, $"  %red{p} = phi {T} [ {start}, %{from} ], [ {next}, %p{p} ]");
            ir.Append(segments[p + 1].Code);
            return $"p{p}done";
        }

        /// <summary>
        /// The body of the loop writing the S-shaped outputs. When it would recompute the last reduction's operand, that
        /// loop stores the operand into the first S-shaped output's row and this one reads it back — unless the output is
        /// written in place over input 0 and this loop still reads input 0.
        /// </summary>
        private KernelBody PlanOutputLoop()
        {
            var operand = source.Reductions[^1].Operands[0];
            int scratch = source.RowOutputs.ToList().IndexOf(false);
            if (!rowValues.ContainsKey(operand) && operand.ParamOf is null)
            {
                (kept, keptRow) = (operand, RowOf(scratch));
                var body = OutputBody();
                if (keptUsed && !(source.InPlace && scratch == 0 && readsInput0)) return body;
                (kept, keptRow) = (null, null);
            }
            return OutputBody();
        }

        /// <summary>The output row <paramref name="m"/> is written to: an in-place output through input 0's row pointer.</summary>
        private string RowOf(int m) => source.InPlace && m == 0 ? "%row0" : $"%orow{m}";

        private KernelBody OutputBody()
        {
            var body = new KernelBody(isFloat32, "f_");
            (keptUsed, readsInput0) = (false, false);
            var outputs = source.Graph.Outputs;
            var done = new Dictionary<Value, string>();
            // Every value first, then the stores: a kept operand is read back before its row is overwritten.
            var values = outputs.Select((o, m) => source.RowOutputs[m] ? null : Element(o, body, done, "%jf")).ToArray();
            for (int m = 0; m < outputs.Count; m++)
            {
                if (values[m] is not { } value) continue;
                // An in-place output is stored through input 0's row pointer: LLVM then knows each store hits the element
                // just loaded, instead of checking at run time that two buffers do not overlap (they do).
                string at = body.Emit($"getelementptr inbounds {T}, ptr {RowOf(m)}, i64 %jf");
                body.Statement($"store {T} {value}, ptr {at}, align {Size}");
            }
            return body;
        }

        /// <summary>Appends the output loop <paramref name="body"/>, entered from <paramref name="from"/>; it ends in block <c>rowend</c>.</summary>
        private void AppendOutputLoop(KernelBody body, string from)
        {
            bodies.Add(body);
            var ir = loops;
            ir.AppendLine("  br i1 %hasc, label %final, label %rowend");
            ir.AppendLine("final:");
            ir.AppendLine(CultureInfo.InvariantCulture, $"  %jf = phi i64 [ 0, %{from} ], [ %jfn, %final ]");
            ir.Append(body.Code);
            ir.AppendLine("  %jfn = add nuw nsw i64 %jf, 1");
            ir.AppendLine("  %fend = icmp eq i64 %jfn, %c");
            ir.AppendLine("  br i1 %fend, label %rowend, label %final");
            ir.AppendLine("rowend:");
        }

        private KernelBody NewBody(string prefix)
        {
            var body = new KernelBody(isFloat32, prefix);
            bodies.Add(body);
            return body;
        }

        /// <summary><paramref name="value"/> at row element <paramref name="index"/>, emitted into <paramref name="body"/> once per loop.</summary>
        private string Element(Value value, KernelBody body, Dictionary<Value, string> done, string index)
        {
            if (rowValues.TryGetValue(value, out string? row)) return row;
            if (done.TryGetValue(value, out string? known)) return known;
            string result;
            if (value == kept && index == "%jf")
            {
                keptUsed = true;
                result = body.Emit($"load {T}, ptr {body.Emit($"getelementptr inbounds {T}, ptr {keptRow}, i64 %jf")}, align {Size}");
            }
            else if (value.ParamOf is not null)
            {
                result = Load(body, value.Index, index);
            }
            else
            {
                var node = value.Producer!;
                var x = node.Operands.Select(o => Element(o, body, done, index)).ToArray();
                result = KernelOps.Table[node.Op!.Name].Emit(body, x, node.Attrs);
            }
            done[value] = result;
            return result;
        }

        /// <summary>Input <paramref name="k"/> at <paramref name="index"/> (null: once per row, where it is broadcast).</summary>
        private string Load(KernelBody body, int k, string? index)
        {
            readsInput0 |= k == 0 && index is not null;
            return body.LoadInput(k, source.InputDTypes[k] == DType.Bool, index is null ? InnerStep.Broadcast : layout.Steps[k], index ?? "");
        }

        private string Module()
        {
            var graph = source.Graph;
            int outputs = graph.Outputs.Count;
            var ir = new StringBuilder();
            ir.AppendLine(CultureInfo.InvariantCulture,
                $"; Kiln row kernel of @{graph.Name} ({source.DType.Name()}, {source.Reductions.Length} reduction(s){(source.InPlace ? ", output 0 in place of input 0" : "")})");
            ir.AppendLine($"define void @{Symbol}(ptr noalias nocapture readonly %buffers, ptr noalias nocapture readonly %outer, ptr noalias nocapture readonly %strides, i64 %rank, i64 %c, i64 %begin, i64 %end) {{");
            ir.AppendLine("entry:");
            ir.AppendLine("  %has = icmp slt i64 %begin, %end");
            ir.AppendLine("  br i1 %has, label %init, label %exit");
            ir.AppendLine("init:");
            ir.AppendLine("  %hasc = icmp sgt i64 %c, 0");
            ir.AppendLine(CultureInfo.InvariantCulture, $"  %cfloat = sitofp i64 %c to {T}");
            ir.AppendLine("  %nested = icmp sgt i64 %rank, 1");
            ir.AppendLine("  %lastouter = sub i64 %rank, 1");
            ir.AppendLine("  %perinput = add i64 %rank, 1");
            for (int k = 0; k < Inputs; k++)
            {
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %bufp{k} = getelementptr ptr, ptr %buffers, i64 {k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %buf{k} = load ptr, ptr %bufp{k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %sfirst{k} = mul i64 %perinput, {k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %sbase{k} = getelementptr i64, ptr %strides, i64 %sfirst{k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %stop{k} = load i64, ptr %sbase{k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %stepp{k} = getelementptr i64, ptr %sbase{k}, i64 %rank");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %step{k} = load i64, ptr %stepp{k}");
            }
            for (int m = 0; m < outputs; m++)
            {
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %obufp{m} = getelementptr ptr, ptr %buffers, i64 {Inputs + m}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %obuf{m} = load ptr, ptr %obufp{m}");
            }
            ir.AppendLine("  br label %row");

            // Row r → each input's element offset: the outer dims after the first by division, the first by multiplication.
            ir.AppendLine("row:");
            ir.AppendLine("  %r = phi i64 [ %begin, %init ], [ %rnext, %rowend ]");
            ir.AppendLine("  br i1 %nested, label %digits, label %rowstart");
            ir.AppendLine("digits:");
            ir.AppendLine("  %d = phi i64 [ %lastouter, %row ], [ %dnext, %digits ]");
            ir.AppendLine("  %rem = phi i64 [ %r, %row ], [ %quot, %digits ]");
            for (int k = 0; k < Inputs; k++) ir.AppendLine(CultureInfo.InvariantCulture, $"  %doff{k} = phi i64 [ 0, %row ], [ %doffn{k}, %digits ]");
            ir.AppendLine("  %sizep = getelementptr i64, ptr %outer, i64 %d");
            ir.AppendLine("  %size = load i64, ptr %sizep");
            ir.AppendLine("  %quot = udiv i64 %rem, %size");
            ir.AppendLine("  %digit = urem i64 %rem, %size");
            for (int k = 0; k < Inputs; k++)
            {
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %dsp{k} = getelementptr i64, ptr %sbase{k}, i64 %d");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %ds{k} = load i64, ptr %dsp{k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %dm{k} = mul i64 %digit, %ds{k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %doffn{k} = add i64 %doff{k}, %dm{k}");
            }
            ir.AppendLine("  %dnext = sub i64 %d, 1");
            ir.AppendLine("  %more = icmp sgt i64 %dnext, 0");
            ir.AppendLine("  br i1 %more, label %digits, label %rowstart");
            ir.AppendLine("rowstart:");
            ir.AppendLine("  %top = phi i64 [ %r, %row ], [ %quot, %digits ]");
            for (int k = 0; k < Inputs; k++)
            {
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %toff{k} = phi i64 [ 0, %row ], [ %doffn{k}, %digits ]");
            }
            for (int k = 0; k < Inputs; k++)
            {
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %tm{k} = mul i64 %top, %stop{k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %off{k} = add i64 %toff{k}, %tm{k}");
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %row{k} = getelementptr inbounds {(source.InputDTypes[k] == DType.Bool ? "i8" : T)}, ptr %buf{k}, i64 %off{k}");
            }
            ir.AppendLine("  %rc = mul i64 %r, %c");
            for (int m = 0; m < outputs; m++)
                ir.AppendLine(CultureInfo.InvariantCulture, $"  %orow{m} = getelementptr inbounds {T}, ptr %obuf{m}, i64 {(source.RowOutputs[m] ? "%r" : "%rc")}");
            ir.Append(segments[0].Code);
            ir.Append(loops);
            ir.AppendLine("  %rnext = add i64 %r, 1");
            ir.AppendLine("  %rowsdone = icmp eq i64 %rnext, %end");
            ir.AppendLine("  br i1 %rowsdone, label %exit, label %row");
            ir.AppendLine("exit:");
            ir.AppendLine("  ret void");
            ir.AppendLine("}");
            foreach (var declaration in bodies.SelectMany(b => b.Declarations).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                ir.AppendLine(declaration);
            return ir.ToString();
        }
    }
}
