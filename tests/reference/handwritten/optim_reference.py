# PyTorch's answers for tests/Kiln.Tests/Optim: run with Debian's torch (/usr/bin/python3 optim_reference.py);
# it writes optim_reference.json beside itself.
#
# Optimisers: two small parameters start from fixed values; before each of 5 steps their .grad is set to a fixed
# sequence of values (no model), and the parameters after every step are recorded, in float64 and float32.
# In the "skip" cases the second parameter has no gradient on step 3 (torch skips it, its step count included).
# Schedulers: the lr of each param group (and momentum/beta1 for OneCycleLR) after construction and after each of
# 12 steps of `optimizer.step(); scheduler.step()`.
import json, math, os
import torch

STEPS = 5
SHAPES = [[2, 3], [3]]


def initial(i, n):
    return [round(0.5 * math.sin(1.3 * (i + 1) + 0.7 * k) + 0.1 * k - 0.2, 6) for k in range(n)]


def gradient(step, i, n):
    return [round(math.cos(0.9 * step + 1.7 * (i + 1) * (k + 1)) * (1.0 + 0.3 * step), 6) for k in range(n)]


def numel(shape):
    return math.prod(shape)


INITIAL = [initial(i, numel(s)) for i, s in enumerate(SHAPES)]
GRADS = [[gradient(t, i, numel(s)) for i, s in enumerate(SHAPES)] for t in range(STEPS)]

# name, torch class, kwargs (torch names), skip a gradient on step 3
OPTIMIZERS = [
    ("sgd", "SGD", dict(lr=0.1), False),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9), False),
    ("sgd_dampening_wd", "SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1), False),
    ("sgd_nesterov", "SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), False),
    ("sgd_maximize", "SGD", dict(lr=0.1, momentum=0.5, maximize=True), True),
    ("adam", "Adam", dict(lr=0.01), False),
    ("adam_betas_eps", "Adam", dict(lr=0.02, betas=(0.8, 0.95), eps=1e-3), False),
    ("adam_wd", "Adam", dict(lr=0.01, weight_decay=0.1), False),
    ("adam_amsgrad", "Adam", dict(lr=0.01, amsgrad=True), False),
    ("adam_maximize_skip", "Adam", dict(lr=0.01, maximize=True, amsgrad=True), True),
    ("adamw", "AdamW", dict(lr=0.01), False),
    ("adamw_wd_amsgrad", "AdamW", dict(lr=0.02, weight_decay=0.3, amsgrad=True), False),
    ("adamw_maximize", "AdamW", dict(lr=0.01, maximize=True), True),
    ("rmsprop", "RMSprop", dict(lr=0.01), False),
    ("rmsprop_centered", "RMSprop", dict(lr=0.01, centered=True, alpha=0.9), False),
    ("rmsprop_momentum_wd", "RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1), False),
    ("rmsprop_all", "RMSprop", dict(lr=0.005, momentum=0.5, centered=True, weight_decay=0.05, maximize=True, eps=1e-4), True),
    ("adagrad", "Adagrad", dict(lr=0.1), False),
    ("adagrad_decay", "Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5), False),
    ("adagrad_maximize", "Adagrad", dict(lr=0.1, eps=1e-3, maximize=True), True),
]


def run_optimizer(cls, kwargs, skip, dtype):
    params = [torch.tensor(v, dtype=dtype).reshape(s).requires_grad_() for v, s in zip(INITIAL, SHAPES)]
    opt = getattr(torch.optim, cls)(params, **kwargs)
    trajectory = []
    for t in range(STEPS):
        for i, p in enumerate(params):
            p.grad = None if (skip and t == 3 and i == 1) else torch.tensor(GRADS[t][i], dtype=dtype).reshape(SHAPES[i])
        opt.step()
        trajectory.append([p.detach().reshape(-1).tolist() for p in params])
    return trajectory


def jsonable(kwargs):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}


optimizers = []
for name, cls, kwargs, skip in OPTIMIZERS:
    optimizers.append(dict(name=name, optimizer=cls, options=jsonable(kwargs), skip=skip,
                           float64=run_optimizer(cls, kwargs, skip, torch.float64),
                           float32=run_optimizer(cls, kwargs, skip, torch.float32)))

SCHED_STEPS = 12
S = torch.optim.lr_scheduler

# name, optimizer class, optimizer kwargs, group lrs, scheduler factory, scheduler kwargs (for the test)
SCHEDULERS = [
    ("step_lr", "SGD", dict(momentum=0.9), [0.1, 0.02], lambda o: S.StepLR(o, step_size=3, gamma=0.5), dict(stepSize=3, gamma=0.5)),
    ("multi_step_lr", "SGD", dict(), [0.1, 0.02], lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3), dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("exponential_lr", "SGD", dict(), [0.1, 0.02], lambda o: S.ExponentialLR(o, gamma=0.8), dict(gamma=0.8)),
    ("cosine_annealing_lr", "SGD", dict(), [0.1, 0.02], lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.001), dict(tMax=5, etaMin=0.001)),
    ("cosine_annealing_lr_zero_min", "Adam", dict(), [0.1, 0.02], lambda o: S.CosineAnnealingLR(o, T_max=4), dict(tMax=4, etaMin=0.0)),
    ("linear_lr", "SGD", dict(), [0.1, 0.02], lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4), dict(startFactor=0.25, endFactor=1.0, totalIters=4)),
    ("linear_lr_decay", "SGD", dict(), [0.1, 0.02], lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=6), dict(startFactor=1.0, endFactor=0.1, totalIters=6)),
    ("one_cycle_cos_sgd", "SGD", dict(momentum=0.9), [0.1, 0.02], lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=12), dict(maxLr=[1.0, 0.5], totalSteps=12)),
    ("one_cycle_linear_adam", "Adam", dict(), [0.1, 0.02], lambda o: S.OneCycleLR(o, max_lr=0.3, total_steps=12, pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0), dict(maxLr=[0.3], totalSteps=12, pctStart=0.25, annealStrategy="linear", divFactor=10.0, finalDivFactor=100.0)),
    ("one_cycle_three_phase", "SGD", dict(momentum=0.9), [0.1, 0.02], lambda o: S.OneCycleLR(o, max_lr=0.4, epochs=3, steps_per_epoch=4, three_phase=True, base_momentum=0.8, max_momentum=0.9), dict(maxLr=[0.4], totalSteps=12, threePhase=True, baseMomentum=0.8, maxMomentum=0.9)),
    ("one_cycle_no_momentum", "SGD", dict(momentum=0.9), [0.1, 0.02], lambda o: S.OneCycleLR(o, max_lr=0.4, total_steps=12, cycle_momentum=False), dict(maxLr=[0.4], totalSteps=12, cycleMomentum=False)),
]


def group_momentum(group):
    return group["betas"][0] if "betas" in group else group.get("momentum")


schedulers = []
for name, cls, okw, lrs, make, skw in SCHEDULERS:
    p = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    opt = getattr(torch.optim, cls)([{"params": [p[0]], "lr": lrs[0]}, {"params": [p[1]], "lr": lrs[1]}], **okw)
    sched = make(opt)
    lr_seq = [[g["lr"] for g in opt.param_groups]]
    mom_seq = [[group_momentum(g) for g in opt.param_groups]]
    steps = 11 if name.startswith("one_cycle") else SCHED_STEPS  # OneCycleLR allows total_steps - 1 steps
    for _ in range(steps):
        opt.step()
        sched.step()
        lr_seq.append([g["lr"] for g in opt.param_groups])
        mom_seq.append([group_momentum(g) for g in opt.param_groups])
    schedulers.append(dict(name=name, optimizer=cls, lrs=lrs, options=skw, lr=lr_seq, momentum=mom_seq))

# ReduceLROnPlateau: lrs after each metric
METRICS = [1.0, 0.9, 0.95, 0.91, 0.92, 0.899, 0.9, 0.95, 0.97, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91]
PLATEAUS = [
    ("plateau_min_rel", dict(mode="min", factor=0.5, patience=2), dict(mode="min", factor=0.5, patience=2)),
    ("plateau_min_abs_cooldown", dict(mode="min", factor=0.1, patience=1, threshold=0.02, threshold_mode="abs", cooldown=2, min_lr=[0.001, 0.0005]),
     dict(mode="min", factor=0.1, patience=1, threshold=0.02, thresholdMode="abs", cooldown=2, minLr=[0.001, 0.0005])),
    ("plateau_max_rel", dict(mode="max", factor=0.2, patience=0, threshold=0.01), dict(mode="max", factor=0.2, patience=0, threshold=0.01)),
    ("plateau_eps", dict(mode="min", factor=0.5, patience=0, eps=0.02), dict(mode="min", factor=0.5, patience=0, eps=0.02)),
]
plateaus = []
for name, kw, skw in PLATEAUS:
    p = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    opt = torch.optim.SGD([{"params": [p[0]], "lr": 0.1}, {"params": [p[1]], "lr": 0.05}])
    sched = S.ReduceLROnPlateau(opt, **kw)
    seq = []
    for m in METRICS:
        opt.step()
        sched.step(m)
        seq.append([g["lr"] for g in opt.param_groups])
    plateaus.append(dict(name=name, options=skw, lr=seq))

# clip_grad_norm_ / clip_grad_value_ on the first step's gradients
clips = []
for norm_type in [2.0, 1.0, 3.0, math.inf]:
    for max_norm in [0.5, 100.0]:
        ps = [torch.tensor(v, dtype=torch.float64).reshape(s).requires_grad_() for v, s in zip(INITIAL, SHAPES)]
        for i, p in enumerate(ps):
            p.grad = torch.tensor(GRADS[1][i], dtype=torch.float64).reshape(SHAPES[i])
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        clips.append(dict(normType="inf" if math.isinf(norm_type) else norm_type, maxNorm=max_norm, total=total.item(),
                          grads=[p.grad.reshape(-1).tolist() for p in ps]))
ps = [torch.tensor(v, dtype=torch.float64).reshape(s).requires_grad_() for v, s in zip(INITIAL, SHAPES)]
for i, p in enumerate(ps):
    p.grad = torch.tensor(GRADS[1][i], dtype=torch.float64).reshape(SHAPES[i])
torch.nn.utils.clip_grad_value_(ps, 0.7)
clip_value = dict(clipValue=0.7, grads=[p.grad.reshape(-1).tolist() for p in ps])

out = dict(torch=torch.__version__, shapes=SHAPES, initial=INITIAL, grads=GRADS, optimizers=optimizers,
           schedulers=schedulers, plateauMetrics=METRICS, plateaus=plateaus, clipNorm=clips, clipValue=clip_value)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
