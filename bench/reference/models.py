"""The three benchmark models of `pnpm bench` in PyTorch, built from the same numbers as
packages/core/bench/suite/configs.ts (passed in as JSON), for a same-machine reference.

They mirror the tfjs models' matmul work (the part that dominates the step): MLP-Mixer
(patchify -> token MLP across patches -> channel MLP, pre-LayerNorm, residual), a ViT
(patch embedding + CLS + learned positions, pre-LN residual blocks of multi-head attention and
a GELU MLP, mean pooling) and a BERT-style encoder (token + position embeddings, post-LN
residual blocks, [CLS] -> tanh pooler -> classifier). Training step: cross-entropy, backward,
AdamW (weight decay 0.01), as in the tfjs bench.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class MixerBlock(nn.Module):
    def __init__(self, tokens, d, tok_dim, ch_dim):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.token = Mlp(tokens, tok_dim)
        self.ln2 = nn.LayerNorm(d)
        self.channel = Mlp(d, ch_dim)

    def forward(self, x):  # [B, T, D]
        x = x + self.token(self.ln1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.channel(self.ln2(x))


def patchify(x, p):  # [B, H, W, C] -> [B, N, p*p*C]
    b, h, w, c = x.shape
    x = x.reshape(b, h // p, p, w // p, p, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, (h // p) * (w // p), p * p * c)


class Mixer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, w, c = cfg["inputShape"]
        self.p = cfg["patchSize"]
        tokens = (h // self.p) * (w // self.p)
        d = cfg["hiddenDim"]
        self.embed = nn.Linear(self.p * self.p * c, d)
        self.blocks = nn.ModuleList([MixerBlock(tokens, d, cfg["tokenMlpDim"], cfg["channelMlpDim"]) for _ in range(cfg["depth"])])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, cfg["numClasses"])

    def forward(self, x):
        h = self.embed(patchify(x, self.p))
        for b in self.blocks:
            h = b(h)
        return self.head(self.ln(h).mean(1))


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h = heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x, mask=None):  # [B, T, D]
        b, t, d = x.shape
        dh = d // self.h
        split = lambda z: z.reshape(b, t, self.h, dh).transpose(1, 2)  # [B, H, T, dh]
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        s = q @ k.transpose(-1, -2) / dh ** 0.5
        if mask is not None:
            s = s + mask
        a = torch.softmax(s, -1) @ v
        return self.o(a.transpose(1, 2).reshape(b, t, d))


class PreLnBlock(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = Attention(d, heads)
        self.mlp = Mlp(d, mlp)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class Vit(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, w, c = cfg["inputShape"]
        self.p = cfg["patchSize"]
        n = (h // self.p) * (w // self.p)
        d = cfg["hiddenDim"]
        self.embed = nn.Linear(self.p * self.p * c, d)
        self.cls = nn.Parameter(torch.randn(1, 1, d))
        self.pos = nn.Parameter(torch.randn(1, n + 1, d))
        self.blocks = nn.ModuleList([PreLnBlock(d, cfg["numHeads"], cfg["mlpDim"]) for _ in range(cfg["depth"])])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, cfg["numClasses"])

    def forward(self, x):
        t = self.embed(patchify(x, self.p))
        t = torch.cat([self.cls.expand(t.shape[0], -1, -1), t], 1) + self.pos
        for b in self.blocks:
            t = b(t)
        return self.head(self.ln(t.mean(1)))


class PostLnBlock(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.attn = Attention(d, heads)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.mlp = Mlp(d, mlp)

    def forward(self, x, mask):
        x = self.ln1(x + self.attn(x, mask))
        return self.ln2(x + self.mlp(x))


class Bert(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["hiddenDim"]
        self.tok = nn.Embedding(cfg["vocabSize"], d)
        self.pos = nn.Embedding(cfg["maxLength"], d)
        self.ln = nn.LayerNorm(d)
        self.blocks = nn.ModuleList([PostLnBlock(d, cfg["numHeads"], cfg["mlpDim"]) for _ in range(cfg["depth"])])
        self.pooler = nn.Linear(d, d)
        self.classifier = nn.Linear(d, cfg["numClasses"])

    def forward(self, ids):
        t = ids.shape[1]
        mask = (ids == 0).float()[:, None, None, :] * -1e9
        h = self.ln(self.tok(ids) + self.pos(torch.arange(t))[None])
        for b in self.blocks:
            h = b(h, mask)
        return self.classifier(torch.tanh(self.pooler(h[:, 0])))


def build(case):
    """(model, x, y) for one train case of configs.ts."""
    g = torch.Generator().manual_seed(0)
    b = case["batch"]
    if case.get("mixer"):
        cfg = case["mixer"]
        return Mixer(cfg), torch.rand(b, *cfg["inputShape"], generator=g), torch.randint(0, cfg["numClasses"], (b,), generator=g)
    if case.get("vit"):
        cfg = case["vit"]
        return Vit(cfg), torch.rand(b, *cfg["inputShape"], generator=g), torch.randint(0, cfg["numClasses"], (b,), generator=g)
    cfg = case["bert"]
    ids = torch.randint(1, cfg["vocabSize"], (b, cfg["seqLength"]), generator=g)
    return Bert(cfg), ids, torch.randint(0, cfg["numClasses"], (b,), generator=g)
