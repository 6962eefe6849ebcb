using F = Kiln.NN.Functional;

namespace Kiln.Tests.Gradients;

/// <summary>
/// The public conv, pooling, norm and attention functions record their registry ops: gradients through
/// conv2d → relu → max_pool2d, batch_norm in training, layer_norm and causal attention equal torch 1.13's
/// (tests/reference/handwritten/nn_grads.py, whose sin/cos ramps <see cref="Wave"/> and <see cref="Cosine"/> rebuild),
/// batch_norm's running statistics are updated outside autograd, and pooling's indices get no gradient.
/// </summary>
public sealed class NnGradTests
{
    /// <summary>sin(a·i + b) over the elements, row-major.</summary>
    private static Tensor Wave(long[] shape, double a, double b, double scale = 1, double shift = 0) =>
        Tensor.FromArray(Enumerable.Range(0, (int)Shapes.Numel(shape)).Select(i => Math.Sin(a * i + b) * scale + shift).ToArray(), shape);

    /// <summary>cos(a·i + b) over the elements, row-major.</summary>
    private static Tensor Cosine(long[] shape, double a, double b) =>
        Tensor.FromArray(Enumerable.Range(0, (int)Shapes.Numel(shape)).Select(i => Math.Cos(a * i + b)).ToArray(), shape);

    private static void AssertClose(double[] expected, Tensor? actual, double tol = 1e-9)
    {
        Assert.NotNull(actual);
        var got = actual.Contiguous().To(DType.Float64).ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - got[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {got[i]}");
    }

    [Fact]
    public void Conv2d_relu_max_pool2d_gradients_match_torch()
    {
        var x = Wave([2, 2, 6, 6], 0.37, 0.1).RequiresGrad_();
        var w = Wave([3, 2, 3, 3], 0.91, 0.3, scale: 0.5).RequiresGrad_();
        var b = Wave([3], 1.3, 0.2, scale: 0.1).RequiresGrad_();
        F.MaxPool2d(F.Relu(F.Conv2d(x, w, b, padding: [1])), 2).Sum().Backward();
        AssertClose([-1.2427980078632508, -2.2764211016677125, -0.9644497920626762, 0.6656120157361209, 1.890420926095516, 1.0484959536449585, 0.9680372163049291, 2.719666440678369, 3.0246064412851132, 1.5583427412450181, -1.1744535711947182, -1.1086669647848146, -0.15433931313510865, -1.4469275209453443, -3.055937543001856, -2.74284957892219, -0.43448614726780066, 0.2639463878596111, -0.8805123553025279, -0.19247125456221895, 1.3182873717104924, 2.298605189885111, 2.658887817050471, 1.4927194534740573, 1.883405831677958, 1.6170605025452127, 0.13679429050492348, -0.1274153250329011, -1.8860697982437078, -1.5906190361922379, -1.2656770255875385, -1.922485692651276, -1.1507100075788208, -1.0382635880299367, 0.5152566090690183, 0.9343381092741314, -0.3423394005652137, 0.7925934961529932, 2.0825711887355225, 1.7116006298845217, -0.6903670105417579, -1.3267903207184832, 1.2904763525978875, 0.5421487524582844, -2.364559644325717, -2.757928554595015, -0.9392637730959669, 0.1745716812944903, -1.5439632096536147, -1.3226203879269083, 1.124381568954075, 1.5063172173572035, 2.0140668053399686, 0.9438476941429714, 1.4990030779315762, 1.6044160255045141, 1.1054863035317963, 1.5333706077431792, -1.3031497277930533, -1.3667537143707382, -0.9837111901498429, -1.7943284671631314, -1.591350234999061, -2.2785954103177457, -0.34996172269239456, 0.4690545205041699, -0.299985284853331, 0.5135388364637024, 1.2826399046139243, 1.6848727453040757, 1.0502033091629526, 0.33709271618175796, -0.0069540899063691985, 1.3343367936682229, 2.2352976856558318, 1.9606954694597318, 1.0839811910734725, 0.6128867686280335, 1.4416019573239875, 0.6298091779851644, -2.103169887964534, -2.0252653300166714, -1.6720295332269348, -1.4766557802589664, -1.492618949421702, -2.3376218572723917, 0.07139674062485446, 1.3430824454426828, 1.7622598879858502, 1.6866649226112918, 0.9680372163049291, 2.719666440678369, 3.0246064412851132, 1.5768133250437513, 0.07275287059408717, -0.5260094758631353, -0.15433931313510865, -1.4469275209453443, -3.055937543001856, -2.4930286373637385, -1.2388030051614973, -0.5223903670398399, -0.4045351347954902, 0.39178673731716734, 1.6465044888868605, 1.8542773950125548, 1.7646095754973403, 1.0662492126976193, 1.1084680671838512, 1.0949010741295522, -1.1458595291977427, -0.811349709642326, -0.984083429956518, -1.2379760710341472, -1.3544268555045704, -2.792179863194227, -0.6167017182856545, -0.3693779610942455, 0.4501814072296074, 1.349346842755771, 0.14892827037229123, 1.6588284865825194, 2.627626896112295, 1.4205303692522269, -0.028877379101675038, -0.6285910628131323, 1.2904763525978875, 0.5421487524582844, -2.364559644325717, -1.8280996947421597, -1.5691073480954913, -1.0813202631130912, -1.5439632096536147, -1.3226203879269083, 1.124381568954075, 1.0150495464196982, 1.9292802950340786, 1.5878176356016738, 1.1975021344750594, 1.2343261804779069, 0.4017517564289829, 0.6187951070228137, -0.9285096489372107, -0.9797259227882165], x.Grad);
        AssertClose([9.933921394098403, 7.814393710632321, 3.304291348283337, -8.746606934046977, -11.376989269568412, -9.77140467259926, 0.641640777959869, 6.0408453872173276, 8.55400397967261, 4.889231404892778, -0.10249971845919459, -4.657604553867883, -10.369382785361756, -8.367919439316129, -4.0439768903726945, 7.648436419826123, 10.200031531029612, 9.468174677859203, -5.577685926458614, -2.555852061751611, 1.918214379727304, 11.451242415724764, 11.03397510968919, 6.726257356270334, -8.226751218646783, -10.693587562303204, -9.853207534991089, 0.06820574532972001, 3.980058758925032, 6.675324099274026, 8.213001152574472, 4.466701192977977, -1.3375897463647004, -9.867647530778699, -9.230068123333343, -5.541159974946031, 0.7594547928336294, -4.565400795367302, -8.509655736320697, -7.428341529086866, -2.799108672647166, 2.369759058133163, 7.441273688863185, 7.124026271389857, 4.966500285788145, -5.907915411531417, -9.991928247134105, -10.821483090750007, -0.6333783548932781, 5.517267576604304, 9.584980281363759, 6.162843934080266, 2.892964041698807, -0.895350533277582], w.Grad);
        AssertClose([18.0, 18.0, 17.0], b.Grad);
    }

    [Fact]
    public void Batch_norm_training_gradients_match_torch_and_running_stats_update_outside_autograd()
    {
        var x = Wave([4, 3, 2], 0.53, 0.4).RequiresGrad_();
        var w = Wave([3], 0.7, 1.0, shift: 1.5).RequiresGrad_();
        var b = Wave([3], 0.9, 0.2).RequiresGrad_();
        var (mean, variance) = (Tensor.Zeros([3], DType.Float64), Tensor.Ones([3], DType.Float64));
        long version = mean.Version;
        var y = F.BatchNorm(x, mean, variance, w, b, training: true, momentum: 0.1, eps: 1e-5);
        Assert.True(mean.Version > version, "running_mean's version counter did not move");
        Assert.Null(mean.GradFn);
        Assert.False(variance.RequiresGrad);
        y.Mul(Cosine([4, 3, 2], 0.41, 0.3)).Sum().Backward();
        AssertClose([1.6315666673593576, -0.3644913328374316, -0.5387372822566271, -1.4272180354767194, -3.0600079802636904, -3.0124182583101065, -2.3942540111523565, -1.3798566459469706, -0.27948935561743643, 0.17372028608489146, 1.872459059704458, 2.1579777768854758, -0.2338823055865468, -0.37681288713399047, 0.8619702004554762, 1.1317266603170357, 4.064836681765249, 4.478532147603635, 1.6827080066018316, 1.4350225086961053, 0.5260436870799299, -0.44801616058654936, -2.328911147392515, -4.172468279992505], x.Grad);
        AssertClose([4.825789683933737, 5.461017435835367, 2.1690236440451933], w.Grad);
        AssertClose([1.0055440565958054, -0.6058596789631361, -1.8322046998540376], b.Grad);
        AssertClose([-0.0013890395504507506, 0.00038932285316780474, 0.0017696976979388068], mean);
        AssertClose([0.9509685923962294, 1.0019205445148602, 0.9165088326611268], variance);
    }

    [Fact]
    public void Layer_norm_gradients_match_torch()
    {
        var x = Wave([2, 3, 4], 0.47, 0.6).RequiresGrad_();
        var w = Wave([3, 4], 0.3, 0.9, shift: 1.0).RequiresGrad_();
        var b = Wave([3, 4], 0.8, 0.1).RequiresGrad_();
        F.LayerNorm(x, [3, 4], w, b, 1e-5).Mul(Cosine([2, 3, 4], 0.29, 0.7)).Sum().Backward();
        AssertClose([1.5902473063065956, 0.90624067910023, 0.14394559005589824, -0.5393139459086378, -0.9979084325116743, -1.1411759350475053, -0.9626669565079147, -0.544690144831927, -0.035111150637126165, 0.3975782991236705, 0.6174086231787801, 0.5654460676796103, -1.9058837280831318, -1.439672723318675, -0.7809769128580871, -0.06736118862994633, 0.5502981512129961, 0.952121004671781, 1.0820567226197952, 0.9588010242832532, 0.6620310004894356, 0.2996716306342877, -0.03172893076349936, -0.2793560502582084], x.Grad);
        AssertClose([0.66038734496529, 0.5327161148273719, 0.4341228048255567, 0.42310535624424944, 0.49947261813783544, 0.6052993104036997, 0.6579065500931282, 0.5966330246942443, 0.4175761018244111, 0.1771122089278251, -0.03779834159958916, -0.15622030550399177], w.Grad);
        AssertClose([0.2572490614692112, 0.30866740730403763, 0.3343082437697435, 0.3320302469474872, 0.3020236574750525, 0.24679439312334028, 0.1709547739675752, 0.08083833716483202, -0.016029090977913607, -0.1115578936840751, -0.19777024579780955, -0.2674663599047083], b.Grad);
    }

    [Fact]
    public void Causal_attention_gradients_match_torch()
    {
        var q = Wave([2, 3, 4], 0.31, 0.2).RequiresGrad_();
        var k = Wave([2, 3, 4], 0.43, 0.5).RequiresGrad_();
        var v = Wave([2, 3, 4], 0.59, 0.8).RequiresGrad_();
        F.ScaledDotProductAttention(q, k, v, isCausal: true).Mul(Cosine([2, 3, 4], 0.23, 0.4)).Sum().Backward();
        AssertClose([0.0, 0.0, 0.0, 0.0, 0.026809322816761322, -0.027861734438500624, -0.0774600474790299, -0.11295532581475658, 0.2708773870443803, 0.03367262336243987, -0.20966286436806, -0.4148253487410344, 0.0, 0.0, 0.0, 0.0, 0.24301595808589366, 0.19644360033916383, 0.11410505081634949, 0.010991565774783996, -0.3708130993717942, -0.39903835997329434, -0.3546113046725302, -0.24562070081641665], q.Grad);
        AssertClose([-0.23998212609153569, -0.1361331692388582, -0.019306247990659955, 0.09936119309877005, 0.28699019874542375, 0.15207214697010657, 0.00265662246302914, -0.1470121654619963, -0.04700807265388807, -0.015938977731248347, 0.016649625527630815, 0.04765097236322626, 0.17104787103859045, 0.19924273341270132, 0.20844321613082034, 0.19777221085994554, -0.18905145567859494, -0.26319001119783414, -0.3122379101659938, -0.33151927608623677, 0.01800358464000456, 0.06394727778513287, 0.1037946940351735, 0.1337470652262913], k.Grad);
        AssertClose([0.9290976390635816, 0.6118011270538908, 0.26228275661399303, -0.10104931484505336, -0.1812700762402082, -0.3147528521978368, -0.4316584735940464, -0.5258298475178391, -0.19895272918079515, -0.25105759537887534, -0.2899399584817401, -0.31355199290697255, -1.374246969295573, -1.1232017249369401, -0.8130005794707649, -0.45998096176422176, 0.028016485179766654, 0.18907464137873745, 0.34017476373657257, 0.47335883037964943, 0.03898864321340357, 0.0680097553556121, 0.09344898343118918, 0.11396651427311376], v.Grad);
    }

    [Fact]
    public void Attention_with_dropout_differentiates_through_the_forward_mask()
    {
        // The output is linear in value: out = A·value with A the dropped-out attention. Running the same seed with an
        // identity value gives A; value's gradient must then be Aᵀ·grad.
        var q = Wave([2, 3, 4], 0.31, 0.2).RequiresGrad_();
        var k = Wave([2, 3, 4], 0.43, 0.5);
        var v = Wave([2, 3, 5], 0.59, 0.8).RequiresGrad_();
        var grad = Cosine([2, 3, 5], 0.23, 0.4);
        F.ScaledDotProductAttention(q, k, v, dropoutP: 0.5, generator: new Generator(7)).Backward(grad);
        var eye = Tensor.Eye(3, dtype: DType.Float64).Expand(2, 3, 3);
        var a = F.ScaledDotProductAttention(q, k, eye, dropoutP: 0.5, generator: new Generator(7)).Detach();
        Assert.Contains(0.0, a.Contiguous().ToArray<double>());
        AssertClose(a.Transpose(-2, -1).Matmul(grad).Contiguous().ToArray<double>(), v.Grad, 1e-12);
        Assert.NotNull(q.Grad);
    }

    [Fact]
    public void Max_pool2d_with_indices_gives_indices_no_gradient_and_routes_the_gradient_to_the_maxima()
    {
        var x = Tensor.FromArray(new double[] { 1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 2, 1, 0, 3, 4, 5 }, [1, 1, 4, 4]).RequiresGrad_();
        var (output, indices) = F.MaxPool2dWithIndices(x, 2);
        Assert.Null(indices.GradFn);
        Assert.NotNull(output.GradFn);
        output.Sum().Backward();
        AssertClose([0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1], x.Grad);
    }

    [Fact]
    public void Average_pooling_interpolate_and_pixel_shuffle_spread_the_gradient_evenly()
    {
        var x = Wave([1, 4, 4, 4], 0.2, 0.1).RequiresGrad_();
        F.AvgPool2d(x, 2).Sum().Backward();
        AssertClose(Enumerable.Repeat(0.25, 64).ToArray(), x.Grad);
        var y = Wave([1, 4, 2, 3], 0.2, 0.1).RequiresGrad_();
        F.Interpolate(y, 2.0).Sum().Backward();
        AssertClose(Enumerable.Repeat(4.0, 24).ToArray(), y.Grad);
        var z = Wave([1, 4, 2, 3], 0.2, 0.1).RequiresGrad_();
        F.PixelShuffle(z, 2).Mul(Cosine([1, 1, 4, 6], 0.3, 0.0)).Sum().Backward();
        AssertClose(F.PixelUnshuffle(Cosine([1, 1, 4, 6], 0.3, 0.0), 2).Contiguous().ToArray<double>(), z.Grad, 1e-15);
    }

    [Fact]
    public void Conv1d_with_same_padding_and_an_even_kernel_matches_the_conv2d_gradient_of_height_one()
    {
        var x = Wave([2, 3, 7], 0.37, 0.1).RequiresGrad_();
        var w = Wave([4, 3, 4], 0.91, 0.3).RequiresGrad_();
        var g = Cosine([2, 4, 7], 0.3, 0.2);
        F.Conv1d(x, w, null, null, "same").Backward(g);
        var x2 = x.Detach().Unsqueeze(2).RequiresGrad_();
        var w2 = w.Detach().Unsqueeze(2).RequiresGrad_();
        F.Conv2d(x2, w2, null, null, "same").Backward(g.Unsqueeze(2));
        AssertClose(x2.Grad!.Contiguous().ToArray<double>(), x.Grad, 1e-12);
        AssertClose(w2.Grad!.Contiguous().ToArray<double>(), w.Grad, 1e-12);
    }

    [Fact]
    public void Inputs_without_grad_record_nothing()
    {
        var x = Wave([1, 2, 5, 5], 0.37, 0.1);
        var w = Wave([3, 2, 3, 3], 0.91, 0.3);
        Assert.Null(F.Conv2d(x, w).GradFn);
        Assert.Null(F.MaxPool2d(x, 2).GradFn);
        Assert.Null(F.LayerNorm(x, [5]).GradFn);
    }
}
