// PyTorch reference for bench/train.ts and bench/gpu (owned with train.ts): the same ResNets and
// resnet-mini timed on the CPU or a CUDA GPU in a python3 child process, when some python3 on this
// machine can `import torch`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TorchResult {
  net: string;
  size: number;
  batch: number;
  trainMsPerStep: number[];
  inferMsPerBatch: number[];
  /** Process CPU time (all threads) per step / batch: robust to other load on shared machines. */
  trainCpuMsPerStep: number[];
  inferCpuMsPerBatch: number[];
}

export interface TorchInfo {
  python: string;
  version: string;
  threads: number;
  /** 'cpu', or the CUDA device's name with its CUDA/cuDNN versions and math settings. */
  device?: Record<string, unknown>;
}

const script = String.raw`
import json, sys, time, torch, torch.nn as nn
args = json.loads(sys.argv[1])
torch.set_num_threads(args["threads"])
torch.manual_seed(0)
dev = torch.device(args.get("device", "cpu"))
cuda = dev.type == "cuda"
if cuda:
    if not torch.cuda.is_available():
        raise SystemExit("RuntimeError: torch " + torch.__version__ + " sees no CUDA GPU")
    # cuDNN picks its fastest algorithms per shape, as a GPU training script would ask it to.
    torch.backends.cudnn.benchmark = True
    p = torch.cuda.get_device_properties(dev)
    info = {"type": "cuda", "name": p.name, "memoryGiB": round(p.total_memory / 2**30, 1),
            "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version(),
            "cudnnBenchmark": True, "tf32Conv": torch.backends.cudnn.allow_tf32,
            "tf32Matmul": torch.backends.cuda.matmul.allow_tf32}
else:
    info = {"type": "cpu"}
sync = torch.cuda.synchronize if cuda else (lambda: None)

class Basic(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); s.b1 = nn.BatchNorm2d(cout)
        s.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); s.b2 = nn.BatchNorm2d(cout)
        s.sc = None
        if stride != 1 or cin != cout:
            s.sc = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
    def forward(s, x):
        y = torch.relu(s.b1(s.c1(x)))
        y = s.b2(s.c2(y))
        return torch.relu(y + (x if s.sc is None else s.sc(x)))

SPECS = {
    "resnet18": (7, 64, [2, 2, 2, 2], [64, 128, 256, 512]),
    "resnet34": (7, 64, [3, 4, 6, 3], [64, 128, 256, 512]),
    "resnet-mini": (5, 32, [1, 1, 1, 1], [32, 64, 128, 256]),
}

def build(arch, classes):
    k, stem, blocks, widths = SPECS[arch]
    layers = [nn.Conv2d(6, stem, k, 2, k // 2, bias=False), nn.BatchNorm2d(stem), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = stem
    for i, (n, w) in enumerate(zip(blocks, widths)):
        for j in range(n):
            layers.append(Basic(cin, w, 2 if (j == 0 and i > 0) else 1)); cin = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)

out = []
for net in args["nets"]:
    arch, size = net["arch"], net["size"]
    b = args["batch"]
    m = build(arch, 31).to(dev)
    x = torch.randn(b, 6, size, size, device=dev); y = torch.randint(0, 31, (b,), device=dev)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    lossf = nn.CrossEntropyLoss()
    def step():
        opt.zero_grad(); l = lossf(m(x), y); l.backward(); opt.step()
    m.train()
    for _ in range(args["warmup"]): step()
    sync()
    train = []; train_cpu = []
    for _ in range(args["steps"]):
        t = time.perf_counter(); c = time.process_time(); step(); sync()
        train.append((time.perf_counter() - t) * 1000); train_cpu.append((time.process_time() - c) * 1000)
    m.eval()
    infer = []; infer_cpu = []
    with torch.no_grad():
        m(x); sync()
        for _ in range(args["inferSteps"]):
            t = time.perf_counter(); c = time.process_time(); m(x); sync()
            infer.append((time.perf_counter() - t) * 1000); infer_cpu.append((time.process_time() - c) * 1000)
    out.append({"net": arch, "size": size, "batch": b, "trainMsPerStep": train, "inferMsPerBatch": infer,
                "trainCpuMsPerStep": train_cpu, "inferCpuMsPerBatch": infer_cpu})
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(), "device": info, "results": out}))
`;

/** First python3 that can import torch, or null (with the reasons tried). */
export function findTorch(): { python: string; version: string } | { reasons: string[] } {
  const reasons: string[] = [];
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      const version = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      }).trim();
      return { python, version };
    } catch (err) {
      reasons.push(
        `${python}: ${(err as Error).message.split('\n').find((l) => l.includes('Error')) ?? 'cannot import torch'}`,
      );
    }
  }
  return { reasons };
}

/** Times the nets in PyTorch (same batch, steps and layout as the tfjs run). */
export function runTorch(
  python: string,
  opts: {
    nets: { arch: string; size: number }[];
    batch: number;
    steps: number;
    warmup: number;
    inferSteps: number;
    threads: number;
    /** 'cpu' (default) or 'cuda': on CUDA each timed step ends with torch.cuda.synchronize(). */
    device?: 'cpu' | 'cuda';
  },
): { info: TorchInfo; results: TorchResult[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'platelab-torch-'));
  try {
    const file = path.join(dir, 'bench.py');
    writeFileSync(file, script);
    const text = execFileSync(python, [file, JSON.stringify(opts)], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      timeout: 30 * 60_000,
    });
    const parsed = JSON.parse(text.trim().split('\n').pop() ?? '{}') as {
      version: string;
      threads: number;
      device?: Record<string, unknown>;
      results: TorchResult[];
    };
    return {
      info: { python, version: parsed.version, threads: parsed.threads, device: parsed.device },
      results: parsed.results,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
