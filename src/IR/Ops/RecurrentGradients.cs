using Kiln.IR.Autodiff;

namespace Kiln.IR.Ops;

/// <summary>
/// The gradient of <c>lstm_layer</c> (back-propagation through time). The op keeps only h of every step, so the rule
/// recomputes the gates of all steps in two products (every step's previous h is known), the cell states step by
/// step, then walks the steps backwards; the weight gradients are one product each over all steps.
/// </summary>
public static class RecurrentGradients
{
    /// <summary>The gradient of <c>lstm_layer</c> with respect to the input, both states, both weights and both biases.</summary>
    public static VjpRule LstmLayer { get; } = c =>
    {
        var (x, h0, c0, wIh, wHh) = (c.Input(0), c.Input(1), c.Input(2), c.Input(3), c.Input(4));
        var (bIh, bHh) = c.Inputs.Count > 5 ? (c.Inputs[5], c.Inputs[6]) : (null, null);
        var output = c.Outputs[0];
        long steps = x.Shape[0], batch = x.Shape[1], hidden = h0.Shape[1];
        // Time indices in the order the steps ran.
        bool reverse = c.Attrs.GetBool("reverse", false);
        long[] order = [.. Enumerable.Range(0, (int)steps).Select(k => reverse ? steps - 1 - k : k)];
        var hPrevs = new VjpValue[steps];
        for (int k = 0; k < steps; k++) hPrevs[order[k]] = k == 0 ? h0 : At(output, order[k - 1]);
        var hPrev = Stack(hPrevs);

        var gates = Linear(x, wIh, bIh) + Linear(hPrev, wHh, bHh);
        var i = Gate(gates, 0, hidden).Call("sigmoid");
        var f = Gate(gates, 1, hidden).Call("sigmoid");
        var g = Gate(gates, 2, hidden).Call("tanh");
        var o = Gate(gates, 3, hidden).Call("sigmoid");
        var ig = i * g;
        var cPrevs = new VjpValue[steps];
        var cells = new VjpValue[steps];
        var cell = c0;
        foreach (long t in order)
        {
            cPrevs[t] = cell;
            cell = At(f, t) * cell + At(ig, t);
            cells[t] = cell;
        }
        var tanhC = Stack(cells).Call("tanh");
        // Per step, dc = dc_next + dh·dcdh and the gate gradients are dc or dh times these (σ' = σ(1 − σ), tanh' = 1 − tanh²).
        var dcdh = o * (1 - tanhC * tanhC);
        var di = g * i * (1 - i);
        var df = Stack(cPrevs) * f * (1 - f);
        var dg = i * (1 - g * g);
        var dO = tanhC * o * (1 - o);

        var gradOut = c.GradOutputs[0];
        var dh = c.GradOutput(1);
        var dc = c.GradOutput(2);
        var dGates = new VjpValue[steps];
        foreach (long t in order.Reverse())
        {
            if (gradOut is not null) dh += At(gradOut, t);
            dc += dh * At(dcdh, t);
            var dGate = c.Emitter.Call("cat", [dc * At(di, t), dc * At(df, t), dc * At(dg, t), dh * At(dO, t)], new Attrs { { "dim", -1L } })[0];
            dGates[t] = dGate;
            dh = dGate.Call("matmul", null, wHh);
            dc *= At(f, t);
        }
        var dGatesAll = Stack(dGates);
        var rowsT = dGatesAll.Reshape([steps * batch, 4 * hidden]).Transpose(0, 1);
        var result = new VjpValue?[c.Inputs.Count];
        if (c.NeedsInputGrad[0]) result[0] = dGatesAll.Call("matmul", null, wIh);
        if (c.NeedsInputGrad[1]) result[1] = dh;
        if (c.NeedsInputGrad[2]) result[2] = dc;
        if (c.NeedsInputGrad[3]) result[3] = rowsT.Call("matmul", null, x.Reshape([steps * batch, x.Shape[2]]));
        if (c.NeedsInputGrad[4]) result[4] = rowsT.Call("matmul", null, hPrev.Reshape([steps * batch, hidden]));
        if (bIh is not null && (c.NeedsInputGrad[5] || c.NeedsInputGrad[6]))
        {
            var dBias = dGatesAll.Sum([0, 1]);
            if (c.NeedsInputGrad[5]) result[5] = dBias;
            if (c.NeedsInputGrad[6]) result[6] = dBias;
        }
        return result;
    };

    private static VjpValue Linear(VjpValue x, VjpValue weight, VjpValue? bias) =>
        x.Emitter.Call("linear", bias is null ? [x, weight] : [x, weight, bias], Attrs.Empty)[0];

    private static VjpValue Stack(VjpValue[] values) => values[0].Emitter.Call("stack", values, new Attrs { { "dim", 0L } })[0];

    /// <summary>Gate <paramref name="k"/> (i, f, g, o) of gates [L, N, 4H].</summary>
    private static VjpValue Gate(VjpValue gates, long k, long hidden) =>
        gates.Call("slice", new Attrs { { "dim", -1L }, { "start", k * hidden }, { "end", (k + 1) * hidden } });

    /// <summary>Step <paramref name="t"/> of a [L, N, H] value.</summary>
    private static VjpValue At(VjpValue value, long t) => value.Call("select", new Attrs { { "dim", 0L }, { "index", t } });
}
