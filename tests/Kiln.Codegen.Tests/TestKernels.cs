namespace Kiln.Codegen.Tests;

/// <summary>Hand-written LLVM IR for the binding's tests, and the C# loops they are checked against.</summary>
internal static class TestKernels
{
    /// <summary>
    /// <c>y[i] = max(a[i]*b[i] + c[i], 0) * sigmoid(a[i])</c> over n floats: issue 8's benchmark chain, written as the
    /// scalar loop a code generator emits; vectorising it is LLVM's job.
    /// </summary>
    internal const string Chain = """
        define void @chain(ptr noalias nocapture readonly %a, ptr noalias nocapture readonly %b,
                           ptr noalias nocapture readonly %c, ptr noalias nocapture writeonly %y, i64 %n) {
        entry:
          %empty = icmp sle i64 %n, 0
          br i1 %empty, label %exit, label %loop

        loop:
          %i = phi i64 [ 0, %entry ], [ %next, %loop ]
          %pa = getelementptr inbounds float, ptr %a, i64 %i
          %pb = getelementptr inbounds float, ptr %b, i64 %i
          %pc = getelementptr inbounds float, ptr %c, i64 %i
          %py = getelementptr inbounds float, ptr %y, i64 %i
          %va = load float, ptr %pa, align 4
          %vb = load float, ptr %pb, align 4
          %vc = load float, ptr %pc, align 4
          %ab = fmul float %va, %vb
          %abc = fadd float %ab, %vc
          %relu = call float @llvm.maxnum.f32(float %abc, float 0.0)
          %minus_a = fneg float %va
          %exp = call float @llvm.exp.f32(float %minus_a)
          %denominator = fadd float %exp, 1.0
          %sigmoid = fdiv float 1.0, %denominator
          %out = fmul float %relu, %sigmoid
          store float %out, ptr %py, align 4
          %next = add nuw nsw i64 %i, 1
          %done = icmp eq i64 %next, %n
          br i1 %done, label %exit, label %loop

        exit:
          ret void
        }

        declare float @llvm.maxnum.f32(float, float)
        declare float @llvm.exp.f32(float)
        """;

    /// <summary>The chain's reference: the same operations, in the same order, in C#.</summary>
    internal static void ChainReference(float[] a, float[] b, float[] c, float[] y)
    {
        for (int i = 0; i < y.Length; i++)
            y[i] = MathF.Max(a[i] * b[i] + c[i], 0f) * (1f / (1f + MathF.Exp(-a[i])));
    }

    /// <summary>A module defining <c>@kernel</c> that returns <paramref name="value"/>, and an internal helper.</summary>
    internal static string Constant(int value) => $$"""
        define i32 @helper() {
          ret i32 {{value}}
        }

        define i32 @kernel() {
          %v = call i32 @helper()
          ret i32 %v
        }
        """;

    /// <summary>Random floats in [-4, 4), seeded.</summary>
    internal static float[] RandomFloats(int n, int seed)
    {
        var random = new Random(seed);
        var values = new float[n];
        for (int i = 0; i < n; i++)
            values[i] = (float)(random.NextDouble() * 8 - 4);
        return values;
    }
}
