import torch, json, math
nan, inf = float('nan'), float('inf')
DT = {'f32': torch.float32, 'f64': torch.float64, 'f16': torch.float16, 'bf16': torch.bfloat16, 'i64': torch.int64,
      'i32': torch.int32, 'i16': torch.int16, 'i8': torch.int8, 'u8': torch.uint8, 'b': torch.bool}
CS = {'f32': 'Float32', 'f64': 'Float64', 'f16': 'Float16', 'bf16': 'BFloat16', 'i64': 'Int64', 'i32': 'Int32',
      'i16': 'Int16', 'i8': 'Int8', 'u8': 'UInt8', 'b': 'Bool'}
cases = []
def csnum(v):
    if isinstance(v, bool): return '1' if v else '0'
    if v != v: return 'double.NaN'
    if v == inf: return 'double.PositiveInfinity'
    if v == -inf: return 'double.NegativeInfinity'
    if isinstance(v, int): return repr(float(v))
    if v == 0 and math.copysign(1, v) < 0: return '-0.0'
    return repr(v)
def flat(x):
    if isinstance(x, list): return [y for z in x for y in flat(z)]
    return [x]
def shape_of(x):
    s = []
    while isinstance(x, list):
        s.append(len(x)); x = x[0] if x else None
    return s
def lit(name, values, dt='f32', shape=None):
    t = torch.tensor(values, dtype=DT[dt])
    if shape is not None: t = t.reshape(shape)
    shp = list(t.shape)
    vals = flat(values)
    cs = f'Lit(new double[] {{ {", ".join(csnum(v) for v in vals)} }}, [{", ".join(map(str, shp))}], DType.{CS[dt]})'
    cases.append((name, cs, repr(t)))
def longs(name, values, dt='i64'):
    t = torch.tensor(values, dtype=DT[dt])
    cs = f'Tensor.FromArray(new long[] {{ {", ".join(str(v)+"L" for v in values)} }}).To(DType.{CS[dt]})'
    cases.append((name, cs, repr(t)))
def gen(name, n, formula, shape, dt='f32', csformula=None):
    vals = [eval(formula, {'i': i}) for i in range(n)]
    t = torch.tensor(vals, dtype=torch.float64).to(DT[dt]).reshape(shape)
    cs = f'Gen({n}, i => {csformula or formula}, [{", ".join(map(str, shape))}], DType.{CS[dt]})'
    cases.append((name, cs, repr(t)))
def expr(name, py, cs):
    cases.append((name, cs, repr(eval(py))))

lit('float_ints', [1., 2.])
lit('float_fixed', [1.5, 2.25, -3.125])
lit('float_half_even_ties', [0.03125, 1.5, 0.15625])
lit('float_small_is_scientific', [1e-5, 1.])
lit('float_wide_ints_scientific', [1e9, 1.])
lit('float_int_above_1e8_scientific', [123456789., 1.])
lit('float_int_ratio_1000_fixed', [1., 1000.])
lit('float_int_ratio_over_1000', [1., 1001.])
lit('float_ratio_over_1000_scientific', [0.1, 100.5])
lit('float_min_1e4_boundary', [0.0001, 0.5])
lit('float_min_1e3', [0.001, 0.5])
lit('float_1e8_exact', [1e8, 1.])
lit('float_1e8_alone', [1e8, 2e8])
lit('float_mixed_nonfinite', [nan, inf, -inf, 1.5])
lit('float_nan_with_int', [nan, 1.])
lit('float_only_nan', [nan])
lit('float_only_infs', [inf, -inf])
lit('float_zero_and_nan', [0., nan])
lit('float_zeros', [0., 0.])
lit('float_negative_zero', [-0., 1.])
lit('float_negative_zero_fixed', [-0., 1.5])
lit('float_inf_scientific', [inf, 1e-7, 1.])
lit('float_negative_wide', [-1234.5678, 0.5])
lit('float_rounding_carry', [9.99999, 0.5])
lit('float_sci_rounding_carry', [9.99996e-7, 1.])
lit('float_large_ints_width', [-12345678., 1., 10.])
lit('scalar_float', 3.5)
lit('scalar_negative_zero', -0.)
lit('scalar_nan', nan)
lit('scalar_tiny', 1e-10)
lit('scalar_int_valued', 100.)
lit('scalar_float64', 2.5, 'f64')
lit('scalar_int', 5, 'i64')
lit('scalar_int32', -7, 'i32')
lit('scalar_bool', True, 'b')
lit('scalar_float16', 0.1, 'f16')
lit('matrix_float', [[1., 2.], [3., 4.]])
lit('matrix_int', [[1, 2], [3, 4]], 'i64')
lit('matrix_negative_int', [[1, -20], [300, 4]], 'i64')
lit('matrix_bool', [[True, False], [False, True]], 'b')
lit('matrix_mixed_float', [[1.25, -2.], [3., 400.5]])
lit('matrix_float64', [[0.5, 1.], [2., 3.]], 'f64')
lit('column', [[1.5], [2.5], [3.5]])
lit('row', [[1, 2, 3]], 'i64')
lit('float64', [0.1, 0.2], 'f64')
lit('float16', [0.1, 0.2, 65504.], 'f16')
lit('float16_ints', [1., 2.], 'f16')
lit('bfloat16', [0.1, 3.14159, -2.], 'bf16')
lit('int8', [-128, 0, 127], 'i8')
lit('uint8', [0, 255, 7], 'u8')
lit('int16', [-300, 5], 'i16')
lit('int32', [1, 2], 'i32')
lit('bool', [True, False, True], 'b')
lit('float64_subnormal', [5e-324, 1e-300, 1.], 'f64')
lit('float64_huge', [1e300, -1.5e-300], 'f64')
lit('float64_long_row_wraps_suffix', [0.1234, 1.5, 2.25, -3.5, 4.125, 5.5, 6.75, 7.25, 8.5], 'f64')
lit('float64_row_fits_suffix', [0.1234, 1.5, 2.25, -3.5, 4.125, 5.5, 6.75, 7.25], 'f64')
lit('int32_long_row', list(range(20)), 'i32')
longs('int64_extremes', [-9223372036854775808, 9223372036854775807, 0])
longs('int64_big', [12345678901234567, 1])
expr('empty_float', 'torch.zeros(0)', 'Tensor.Zeros(0)')
expr('empty_2d', 'torch.zeros(0, 3)', 'Tensor.Zeros(0, 3)')
expr('empty_int64', 'torch.zeros(0, dtype=torch.int64)', 'Tensor.Zeros([0], dtype: DType.Int64)')
expr('empty_bool_2d', 'torch.zeros(2, 0, dtype=torch.bool)', 'Tensor.Zeros([2, 0], dtype: DType.Bool)')
expr('empty_float64_3d', 'torch.zeros(1, 0, 2, dtype=torch.float64)', 'Tensor.Zeros([1, 0, 2], dtype: DType.Float64)')
expr('arange_int_3d', 'torch.arange(24).reshape(2, 3, 4)', 'Tensor.Arange(24).Reshape(2, 3, 4)')
expr('arange_float_3d', 'torch.arange(24.).reshape(2, 3, 4)', 'Tensor.Arange(24.0).Reshape(2, 3, 4)')
expr('arange_4d', 'torch.arange(16).reshape(2, 2, 2, 2)', 'Tensor.Arange(16).Reshape(2, 2, 2, 2)')
expr('arange_int_wraps', 'torch.arange(100)', 'Tensor.Arange(100)')
expr('arange_float_wraps', 'torch.arange(0, 3, 0.125)', 'Tensor.Arange(0, 3, 0.125)')
expr('arange_1000_not_summarized', 'torch.arange(1000)', 'Tensor.Arange(1000)')
expr('arange_1001_summarized', 'torch.arange(1001)', 'Tensor.Arange(1001)')
expr('arange_2000_float', 'torch.arange(2000.)', 'Tensor.Arange(2000.0)')
expr('summarized_matrix', 'torch.arange(2000).reshape(20, 100)', 'Tensor.Arange(2000).Reshape(20, 100)')
expr('summarized_few_rows', 'torch.arange(2000).reshape(2, 1000)', 'Tensor.Arange(2000).Reshape(2, 1000)')
expr('summarized_few_cols', 'torch.arange(2000.).reshape(1000, 2)', 'Tensor.Arange(2000.0).Reshape(1000, 2)')
expr('summarized_3d', 'torch.arange(2000).reshape(10, 10, 20)', 'Tensor.Arange(2000).Reshape(10, 10, 20)')
expr('summarized_4d', 'torch.arange(1280.).reshape(4, 4, 4, 20)', 'Tensor.Arange(1280.0).Reshape(4, 4, 4, 20)')
expr('summarized_float64', 'torch.arange(3000, dtype=torch.float64)', 'Tensor.Arange(3000, dtype: DType.Float64)')
expr('summarized_bool', 'torch.arange(1500).reshape(30, 50) > 20', 'Gen(1500, i => i > 20 ? 1 : 0, [30, 50], DType.Bool)')
expr('transposed', 'torch.arange(6).reshape(2, 3).t()', 'Tensor.Arange(6).Reshape(2, 3).T')
expr('eye_bool', 'torch.eye(3, dtype=torch.bool)', 'Tensor.Eye(3, dtype: DType.Bool)')
gen('fractions_wrap', 30, '((i * 37) % 101 - 50) / 8.0', [30])
gen('fractions_matrix', 24, '((i * 37) % 101 - 50) / 8.0', [4, 6], 'f64')
gen('fractions_summarized', 1200, '(i * 7919 % 10007) / 1000.0 - 5', [40, 30])
gen('fractions_summarized_sci', 1200, '(i * 7919 % 10007) / 1000.0 - 5 + (1e6 if i == 5 else 0)', [1200], csformula='(i * 7919 % 10007) / 1000.0 - 5 + (i == 5 ? 1e6 : 0)')
gen('small_values_sci', 12, '(i + 1) * 1e-6', [3, 4])
gen('negative_fractions_3d', 24, '-(i % 7) / 3.0', [2, 3, 4])
gen('bf16_range', 10, 'i * 1.7 - 8', [10], 'bf16')
gen('f16_sci', 6, '10.0 ** (i - 2)', [6], 'f16', csformula='Math.Pow(10.0, i - 2)')
gen('long_int_rows_3d', 120, 'i * 1000003 % 99991', [2, 3, 20], 'i64')
gen('int8_wrap', 50, 'i % 256 - 128', [50], 'i8')

with open('/tmp/create-gen/cases.cs', 'w') as f:
    for name, cs, exp in cases:
        f.write(f'        [{json.dumps(name)}] = ({json.dumps(exp)}, () => {cs}),\n')
print(len(cases))
