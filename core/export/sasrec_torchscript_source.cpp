// The TorchScript source of an exported SASRec model (see sasrec_torchscript.h). It is the forward pass of
// SasrecImpl::hidden / scores in model/sasrec.cpp, op for op (same ATen operators in the same order, so the
// scores agree to float rounding), in eval mode (no dropout), with the parameters of the blocks stacked along
// a leading block dimension so that the source does not depend on the number of blocks. Module::define
// resolves only `torch.<aten op>` names, so dtypes are never named (`.long()`, `x.dtype`). Kept in a raw
// string of its own so the Python-like code reads as code.
#include "export/sasrec_torchscript_source.h"

namespace tiltbench {

const char* sasrecTorchScriptSource() {
    return R"TORCHSCRIPT(
def _encode(self, inputs: Tensor, lengths: Tensor) -> Tensor:
    # inputs [B, T]: item index + 1, right-padded with 0; lengths [B]: real steps. Returns the final hidden
    # state of each row's newest step [B, D]. The position of a step is its distance from the newest step.
    b = inputs.size(0)
    t = inputs.size(1)
    d = self.dim
    dh = d // self.heads
    x = torch.embedding(self.item_embedding, inputs, 0) * self.embedding_scale
    steps = torch.arange(t, device=inputs.device)
    pos = (lengths.unsqueeze(1) - 1 - steps.unsqueeze(0)).clamp(0, self.max_len - 1)
    x = x + torch.embedding(self.position_embedding, pos)
    mask = torch.full([t, t], float("-inf"), dtype=x.dtype, device=x.device).triu(1)
    for i in range(self.blocks):
        h = torch.layer_norm(x, [d], self.norm1_weight[i], self.norm1_bias[i], self.layer_norm_eps)
        qkv = torch.linear(h, self.qkv_weight[i], self.qkv_bias[i])
        qkv = qkv.view([b, t, 3, self.heads, dh]).permute([2, 0, 3, 1, 4])
        q = qkv[0]
        k = qkv[1]
        v = qkv[2]
        att = torch.matmul(q, k.transpose(-2, -1)) * self.attention_scale
        att = torch.softmax(att + mask, -1)
        ctx = torch.matmul(att, v).transpose(1, 2).reshape([b, t, d])
        y = x + torch.linear(ctx, self.out_weight[i], self.out_bias[i])
        f = torch.layer_norm(y, [d], self.norm2_weight[i], self.norm2_bias[i], self.layer_norm_eps)
        f = torch.relu(torch.linear(f, self.ff1_weight[i], self.ff1_bias[i]))
        x = y + torch.linear(f, self.ff2_weight[i], self.ff2_bias[i])
    x = torch.layer_norm(x, [d], self.final_norm_weight, self.final_norm_bias, self.layer_norm_eps)
    last = torch.arange(b, device=inputs.device) * t + (lengths - 1).clamp(0)
    return x.reshape([b * t, d]).index_select(0, last)

def _top(self, dense: Tensor, k: int) -> Tuple[Tensor, Tensor]:
    # dense [B, L]: item index + 1, 0 = padding (anywhere in a row). The model reads each row's newest
    # max_len items; every item of the row is masked. Returns top-k scores [B, k] and item indices [B, k].
    if k < 1:
        raise RuntimeError("tiltbench: k must be >= 1, got " + str(k))
    b = dense.size(0)
    n = self.num_items
    valid = dense > 0
    lengths = valid.sum(1)
    scores = torch.zeros([b, n], dtype=self.item_embedding.dtype, device=dense.device)
    t = 0
    if b > 0 and dense.size(1) > 0:
        t = min(int(lengths.max()), self.max_len)
    if t > 0:
        # Real items first, in their order (a stable sort of the padding flags), then the newest max_len.
        order = torch.sort((~valid).long(), dim=1, stable=True)[1]
        compact = dense.gather(1, order)
        start = (lengths - self.max_len).clamp(0)
        steps = torch.arange(t, device=dense.device).unsqueeze(0)
        used = lengths.clamp(0, self.max_len)
        inputs = compact.gather(1, (start.unsqueeze(1) + steps).clamp(0, dense.size(1) - 1))
        inputs = inputs.masked_fill(steps >= used.unsqueeze(1), 0)
        h = self._encode(inputs, used)
        scores = torch.linear(h, self.item_embedding[1:]).masked_fill((used == 0).unsqueeze(1), 0.0)
    zero = torch.zeros([b, 1], dtype=scores.dtype, device=scores.device)
    masked = torch.cat([zero, scores], 1).scatter(1, dense, float("-inf"))
    top = torch.topk(masked[:, 1:], min(k, n), 1)
    return top[0], top[1]

def _dense(self, history: Tensor) -> Tensor:
    # External integer ids [B, L] (-1 = padding) -> item index + 1 (0 = padding).
    pad = history == -1
    pos = torch.searchsorted(self.sorted_item_ids, history).clamp(0, self.num_items - 1)
    found = self.sorted_item_ids.index_select(0, pos.reshape([-1])).reshape(history.shape) == history
    unknown = ~(found | pad)
    if bool(unknown.any()):
        bad = int(history[unknown][0])
        raise RuntimeError("tiltbench: unknown item id " + str(bad) +
                           ": it is not in the model's catalogue (pad batched rows with -1)")
    return (self.sorted_item_index.index_select(0, pos.reshape([-1])).reshape(history.shape) + 1).masked_fill(pad, 0)

def forward(self, history: Tensor, k: int = 10) -> Tuple[Tensor, Tensor]:
    # history: external item ids (int64), oldest first, 1-D [L] or batched [B, L] with rows padded by -1.
    # Returns (scores float [k] or [B, k], item ids int64 [k] or [B, k]), best first, history items excluded
    # (when fewer than k items are left, the tail has score -inf).
    if not self.integer_ids:
        raise RuntimeError("tiltbench: this model's item ids are not all integers, so forward() cannot take "
                           "them as a tensor: call recommend(history: List[str], k) instead")
    single = history.dim() == 1
    if not single and history.dim() != 2:
        raise RuntimeError("tiltbench: history must be a 1-D [L] or 2-D [B, L] tensor of item ids, got "
                           + str(history.dim()) + " dimensions")
    h = history.to(self.item_embedding.device).long()
    if single:
        h = h.unsqueeze(0)
    scores, top = self._top(self._dense(h), k)
    ids = self.item_id_values.index_select(0, top.reshape([-1])).reshape(top.shape)
    if single:
        return scores[0], ids[0]
    return scores, ids

def recommend(self, history: List[str], k: int = 10) -> Tuple[List[str], List[float]]:
    # history: external item ids as strings, oldest first. Returns the top-k ids and scores, best first,
    # history items excluded (fewer than k when the rest of the catalogue is smaller).
    idx: List[int] = []
    for item in history:
        if item not in self.item_index:
            raise RuntimeError("tiltbench: unknown item id '" + item + "': it is not in the model's catalogue")
        idx.append(self.item_index[item] + 1)
    dense = torch.tensor(idx, device=self.item_embedding.device).long().reshape([1, len(idx)])
    scores, top = self._top(dense, k)
    ids: List[str] = []
    values: List[float] = []
    for j in range(top.size(1)):
        s = float(scores[0, j])
        if s == float("-inf"):
            break
        ids.append(self.item_ids[int(top[0, j])])
        values.append(s)
    return ids, values
)TORCHSCRIPT";
}

const char* hstuTorchScriptSource() {
    return R"TORCHSCRIPT(
def _encode(self, inputs: Tensor, lengths: Tensor, times: Tensor, timed: bool) -> Tensor:
    # inputs [B, T]: item index + 1, right-padded with 0; lengths [B]: real steps; times [B, T]: the steps'
    # timestamps when `timed` (else unknown: every time gap falls in bucket 0). Returns the final hidden
    # state of each row's newest step [B, D]. HSTU blocks: pointwise aggregated attention with a relative
    # bias over position gaps and log-bucketed time gaps.
    b = inputs.size(0)
    t = inputs.size(1)
    d = self.dim
    dh = d // self.heads
    x = torch.embedding(self.item_embedding, inputs, 0) * self.embedding_scale
    steps = torch.arange(t, device=inputs.device)
    pos = (lengths.unsqueeze(1) - 1 - steps.unsqueeze(0)).clamp(0, self.max_len - 1)
    x = x + torch.embedding(self.position_embedding, pos)
    causal = torch.full([t, t], 1.0 / self.max_len, dtype=x.dtype, device=x.device).tril()
    pos_bucket = (steps.unsqueeze(1) - steps.unsqueeze(0)).clamp(0, self.max_len - 1).reshape([-1])
    time_bucket = pos_bucket
    if timed:
        gap = (times.unsqueeze(2) - times.unsqueeze(1)).abs().clamp(1).double()
        time_bucket = (gap.log() / 0.301).floor().clamp(0, self.time_buckets - 1).long().reshape([-1])
    for i in range(self.blocks):
        h = torch.layer_norm(x, [d], self.norm1_weight[i], self.norm1_bias[i], self.layer_norm_eps)
        uvqk = torch.silu(torch.linear(h, self.uvqk_weight[i], self.uvqk_bias[i]))
        parts = uvqk.split(d, -1)
        u = parts[0]
        v = parts[1].view([b, t, self.heads, dh]).transpose(1, 2)
        q = parts[2].view([b, t, self.heads, dh]).transpose(1, 2)
        k = parts[3].view([b, t, self.heads, dh]).transpose(1, 2)
        bias = self.pos_bias[i].index_select(0, pos_bucket).view([1, 1, t, t])
        if timed:
            bias = bias + self.time_bias[i].index_select(0, time_bucket).view([b, 1, t, t])
        else:
            bias = bias + self.time_bias[i][0]
        att = torch.silu(torch.matmul(q, k.transpose(-2, -1)) + bias) * causal
        ctx = torch.matmul(att, v).transpose(1, 2).reshape([b, t, d])
        a = torch.layer_norm(ctx, [d], self.norm_attn_weight[i], self.norm_attn_bias[i], self.layer_norm_eps)
        x = x + torch.linear(a * u, self.out_weight[i], self.out_bias[i])
    x = torch.layer_norm(x, [d], self.final_norm_weight, self.final_norm_bias, self.layer_norm_eps)
    last = torch.arange(b, device=inputs.device) * t + (lengths - 1).clamp(0)
    return x.reshape([b * t, d]).index_select(0, last)

def _top(self, dense: Tensor, k: int, times: Tensor, timed: bool) -> Tuple[Tensor, Tensor]:
    # dense [B, L]: item index + 1, 0 = padding (anywhere in a row); times [B, L] their timestamps when
    # `timed`. The model reads each row's newest max_len items; every item of the row is masked. Returns
    # top-k scores [B, k] and item indices [B, k].
    if k < 1:
        raise RuntimeError("tiltbench: k must be >= 1, got " + str(k))
    b = dense.size(0)
    n = self.num_items
    valid = dense > 0
    lengths = valid.sum(1)
    scores = torch.zeros([b, n], dtype=self.item_embedding.dtype, device=dense.device)
    t = 0
    if b > 0 and dense.size(1) > 0:
        t = min(int(lengths.max()), self.max_len)
    if t > 0:
        # Real items first, in their order (a stable sort of the padding flags), then the newest max_len.
        order = torch.sort((~valid).long(), dim=1, stable=True)[1]
        compact = dense.gather(1, order)
        start = (lengths - self.max_len).clamp(0)
        steps = torch.arange(t, device=dense.device).unsqueeze(0)
        used = lengths.clamp(0, self.max_len)
        window = (start.unsqueeze(1) + steps).clamp(0, dense.size(1) - 1)
        inputs = compact.gather(1, window).masked_fill(steps >= used.unsqueeze(1), 0)
        stamps = inputs
        if timed:
            stamps = times.gather(1, order).gather(1, window).masked_fill(steps >= used.unsqueeze(1), 0)
        h = self._encode(inputs, used, stamps, timed)
        scores = torch.linear(h, self.item_embedding[1:]).masked_fill((used == 0).unsqueeze(1), 0.0)
    zero = torch.zeros([b, 1], dtype=scores.dtype, device=scores.device)
    masked = torch.cat([zero, scores], 1).scatter(1, dense, float("-inf"))
    top = torch.topk(masked[:, 1:], min(k, n), 1)
    return top[0], top[1]

def _dense(self, history: Tensor) -> Tensor:
    # External integer ids [B, L] (-1 = padding) -> item index + 1 (0 = padding).
    pad = history == -1
    pos = torch.searchsorted(self.sorted_item_ids, history).clamp(0, self.num_items - 1)
    found = self.sorted_item_ids.index_select(0, pos.reshape([-1])).reshape(history.shape) == history
    unknown = ~(found | pad)
    if bool(unknown.any()):
        bad = int(history[unknown][0])
        raise RuntimeError("tiltbench: unknown item id " + str(bad) +
                           ": it is not in the model's catalogue (pad batched rows with -1)")
    return (self.sorted_item_index.index_select(0, pos.reshape([-1])).reshape(history.shape) + 1).masked_fill(pad, 0)

def forward(self, history: Tensor, k: int = 10, times: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
    # history: external item ids (int64), oldest first, 1-D [L] or batched [B, L] with rows padded by -1;
    # times: their timestamps (int64, the training log's unit), the same shape, or None (time gaps unknown).
    # Returns (scores float [k] or [B, k], item ids int64 [k] or [B, k]), best first, history items excluded
    # (when fewer than k items are left, the tail has score -inf).
    if not self.integer_ids:
        raise RuntimeError("tiltbench: this model's item ids are not all integers, so forward() cannot take "
                           "them as a tensor: call recommend(history: List[str], k) instead")
    single = history.dim() == 1
    if not single and history.dim() != 2:
        raise RuntimeError("tiltbench: history must be a 1-D [L] or 2-D [B, L] tensor of item ids, got "
                           + str(history.dim()) + " dimensions")
    h = history.to(self.item_embedding.device).long()
    stamps = h
    timed = times is not None
    if times is not None:
        if times.shape != history.shape:
            raise RuntimeError("tiltbench: times must have the shape of history")
        stamps = times.to(self.item_embedding.device).long()
    if single:
        h = h.unsqueeze(0)
        stamps = stamps.unsqueeze(0)
    scores, top = self._top(self._dense(h), k, stamps, timed)
    ids = self.item_id_values.index_select(0, top.reshape([-1])).reshape(top.shape)
    if single:
        return scores[0], ids[0]
    return scores, ids

def recommend(self, history: List[str], k: int = 10, times: Optional[List[int]] = None) -> Tuple[List[str], List[float]]:
    # history: external item ids as strings, oldest first; times: their timestamps, or None (time gaps
    # unknown). Returns the top-k ids and scores, best first, history items excluded (fewer than k when the
    # rest of the catalogue is smaller).
    idx: List[int] = []
    for item in history:
        if item not in self.item_index:
            raise RuntimeError("tiltbench: unknown item id '" + item + "': it is not in the model's catalogue")
        idx.append(self.item_index[item] + 1)
    dense = torch.tensor(idx, device=self.item_embedding.device).long().reshape([1, len(idx)])
    stamps = dense
    timed = times is not None
    if times is not None:
        if len(times) != len(history):
            raise RuntimeError("tiltbench: times must list one timestamp per history item")
        stamps = torch.tensor(times, device=self.item_embedding.device).long().reshape([1, len(idx)])
    scores, top = self._top(dense, k, stamps, timed)
    ids: List[str] = []
    values: List[float] = []
    for j in range(top.size(1)):
        s = float(scores[0, j])
        if s == float("-inf"):
            break
        ids.append(self.item_ids[int(top[0, j])])
        values.append(s)
    return ids, values
)TORCHSCRIPT";
}

}  // namespace tiltbench
