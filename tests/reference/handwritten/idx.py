import torch, json
t = torch.arange(24).reshape(2, 3, 4)
E = 'TensorIndex.Ellipsis'; N = 'TensorIndex.NewAxis'
cases = [
 ('t[:, 1:3]', 't[.., 1..3]'), ('t[-1]', 't[^1]'), ('t[-1]', 't[-1]'), ('t[0, :, 2]', 't[0, .., 2]'), ('t[..., 0]', f't[{E}, 0]'),
 ('t[None]', f't[{N}]'), ('t[:, None, 1]', f't[.., {N}, 1]'), ('t[1, ..., None]', f't[1, {E}, {N}]'),
 ('t[..., ::2]', f't[{E}, TensorIndex.Slice(null, null, 2)]'), ('t[:, -2:]', 't[.., ^2..]'), ('t[:, :-1]', 't[.., ..^1]'),
 ('t[:, 3:]', 't[.., 3..]'), ('t[0, 1:100]', 't[0, 1..100]'), ('t[:, -100:2]', 't[.., TensorIndex.Slice(-100, 2)]'),
 ('t[1, 2, 3]', 't[1, 2, 3]'), ('t[-2, -3, -4]', 't[-2, -3, -4]'), ('t[..., 1, :]', f't[{E}, 1, ..]'), ('t[...]', f't[{E}]'),
 ('t[None, ..., None]', f't[{N}, {E}, {N}]'), ('t[1:, ::2, 1::2]', 't[1.., TensorIndex.Slice(null, null, 2), TensorIndex.Slice(1, null, 2)]'),
 ('t.transpose(0, 2)[1:3, 0]', 't.Transpose(0, 2)[1..3, 0]'), ('t[:, 2:1]', 't[.., 2..1]'), ('t[0][1][2]', 't[0][1][2]'),
 ('t[..., -1, -1]', f't[{E}, ^1, ^1]'), ('t[:, :, 1:3][1]', 't[.., .., 1..3][1]'), ('t[0, None, :, None, 1:]', f't[0, {N}, .., {N}, 1..]'),
 ('t[:, 0:3:2, -3:-1]', 't[.., TensorIndex.Slice(0, 3, 2), TensorIndex.Slice(-3, -1)]'), ('t[1, 1]', 't[1, 1]'),
]
out = []
for py, cs in cases:
    r = eval(py)
    vals = r.flatten().tolist()
    out.append(f'        [{json.dumps(cs)}] = ({json.dumps(py)}, t => {cs}, [{", ".join(map(str, r.shape))}], [{", ".join(map(str, vals))}]),')
open('idx.cs', 'w').write('\n'.join(out) + '\n')
