;; Single-pass elementwise kernels for @acn/core on the tfjs wasm backend (wasm SIMD, f32x4):
;; GELU, LayerNorm forward/backward, and a blocked transpose of the last two axes.
;; Source of the bytes in fused-elementwise-wasm.ts. After editing, run
;;   cd packages/core && npx tsx scripts/assemble-wat.ts
;; (wabt's wat2wasm; fused-elementwise-wasm.test.ts fails while the two differ).
;; The module imports tfjs-backend-wasm's own memory, so every pointer below is a byte offset of a
;; tensor in the tfjs heap. No FMA: wasm SIMD 128 has none, every a*b+c rounds twice.
(module
  (import "env" "memory" (memory 1))

  ;; GELU and its derivative: y = x·Φ(x), d = Φ(x) + x·φ(x) for n floats, φ(x) = exp(-x²/2)/√(2π).
  ;;
  ;; Φ comes from erfc, not 1 + erf: with a = |x|/√2, Φ(x) = erfc(a)/2 for x < 0, 1 - erfc(a)/2
  ;; otherwise, and erfc(a) = t·exp(-a² - 1.26551223 + t·P(t)), t = 1/(1 + a/2) (Numerical Recipes'
  ;; erfcc, a Chebyshev fit with relative error < 1.2e-7 for all a >= 0; constants $c0..$c9). So Φ
  ;; stays accurate far into the negative tail, where 1 + erf(x/√2) cancels in float32.
  ;;
  ;; exp (twice, written out) is Cephes' expf: v = n·ln2 + r with ln2 split in two ($ln2_hi exact
  ;; in 9 bits) for an exact reduction, exp(r) = 1 + r + r²·E(r) with E of degree 5 ($e1..$e6), times
  ;; 2^n built in the exponent bits ((n + 127) << 23). n is rounded with the float trick
  ;; m = v·log2e + 1.5·2^23 ($magic): m's low mantissa bits then hold n (round to nearest even),
  ;; n = m - $magic exactly, and (bits(m) + $bias) << 23 = (n + 127) << 23; this is 3 instructions
  ;; where nearest + trunc_sat take ~8 in V8. v is clamped to -87 with pmax (one maxps; NaN in v
  ;; stays NaN) so that 2^n stays a normal float (exp(-87) = 1.6e-38; below it the exact results
  ;; are subnormal or 0).
  ;;
  ;; Layout for speed: one loop body, no calls, every constant in a local set before the loop
  ;; (V8 rebuilds a v128.const with several instructions at each use). Each iteration does 4
  ;; floats; the last n mod 4 go through the same body one at a time (lane 0 only), so every
  ;; element gets bit-identical math.
  (func (export "gelu_fwd") (param $x i32) (param $y i32) (param $d i32) (param $left i32)
    (local $xv v128) (local $a v128) (local $t v128) (local $p v128) (local $v v128) (local $m v128) (local $n v128) (local $r v128) (local $e v128) (local $h v128) (local $c v128) (local $bias v128) (local $inv_sqrt2 v128) (local $one v128) (local $half v128) (local $c9 v128) (local $c8 v128) (local $c7 v128) (local $c6 v128) (local $c5 v128) (local $c4 v128) (local $c3 v128) (local $c2 v128) (local $c1 v128) (local $c0 v128) (local $exp_min v128) (local $log2e v128) (local $magic v128) (local $ln2_hi v128) (local $ln2_lo v128) (local $e6 v128) (local $e5 v128) (local $e4 v128) (local $e3 v128) (local $e2 v128) (local $e1 v128) (local $minus_half v128) (local $inv_sqrt_2pi v128)
    (local.set $inv_sqrt2 (v128.const f32x4 0.70710678118654752 0.70710678118654752 0.70710678118654752 0.70710678118654752))
    (local.set $one (v128.const f32x4 1.0 1.0 1.0 1.0))
    (local.set $half (v128.const f32x4 0.5 0.5 0.5 0.5))
    (local.set $c9 (v128.const f32x4 0.17087277 0.17087277 0.17087277 0.17087277))
    (local.set $c8 (v128.const f32x4 -0.82215223 -0.82215223 -0.82215223 -0.82215223))
    (local.set $c7 (v128.const f32x4 1.48851587 1.48851587 1.48851587 1.48851587))
    (local.set $c6 (v128.const f32x4 -1.13520398 -1.13520398 -1.13520398 -1.13520398))
    (local.set $c5 (v128.const f32x4 0.27886807 0.27886807 0.27886807 0.27886807))
    (local.set $c4 (v128.const f32x4 -0.18628806 -0.18628806 -0.18628806 -0.18628806))
    (local.set $c3 (v128.const f32x4 0.09678418 0.09678418 0.09678418 0.09678418))
    (local.set $c2 (v128.const f32x4 0.37409196 0.37409196 0.37409196 0.37409196))
    (local.set $c1 (v128.const f32x4 1.00002368 1.00002368 1.00002368 1.00002368))
    (local.set $c0 (v128.const f32x4 -1.26551223 -1.26551223 -1.26551223 -1.26551223))
    (local.set $exp_min (v128.const f32x4 -87.0 -87.0 -87.0 -87.0))
    (local.set $log2e (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
    (local.set $ln2_hi (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
    (local.set $ln2_lo (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
    (local.set $e6 (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $e5 (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
    (local.set $e4 (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
    (local.set $e3 (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
    (local.set $e2 (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
    (local.set $e1 (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))
    (local.set $minus_half (v128.const f32x4 -0.5 -0.5 -0.5 -0.5))
    (local.set $inv_sqrt_2pi (v128.const f32x4 0.39894228040143268 0.39894228040143268 0.39894228040143268 0.39894228040143268))
    (local.set $magic (v128.const f32x4 12582912.0 12582912.0 12582912.0 12582912.0))
    ;; 127 - 0x4B400000: turns the bits of m = n + magic into the exponent field of 2^n
    (local.set $bias (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $left)))
      (if (i32.ge_u (local.get $left) (i32.const 4))
        (then (local.set $xv (v128.load align=4 (local.get $x))))
        (else (local.set $xv (v128.load32_zero align=4 (local.get $x)))))
      ;; Φ(x) from erfc: a = |x|/√2, t = 1/(1 + a/2), erfc(a) = t·exp(c0 - a² + t·P(t)) with P of degree 8
      (local.set $a (f32x4.mul (f32x4.abs (local.get $xv)) (local.get $inv_sqrt2)))
      (local.set $t (f32x4.div (local.get $one) (f32x4.add (local.get $one) (f32x4.mul (local.get $half) (local.get $a)))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $c9)) (local.get $c8)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (local.get $c7)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (local.get $c6)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (local.get $c5)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (local.get $c4)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (local.get $c3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (local.get $c2)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $t) (local.get $p)) (local.get $c1)))
      (local.set $p (f32x4.mul (local.get $t) (local.get $p)))
      ;; e = exp(v), v = c0 - a² + t·P(t) clamped to -87; then h = erfc(a)/2, Φ = x < 0 ? h : 1 - h
      (local.set $v (f32x4.pmax (f32x4.add (f32x4.sub (local.get $c0) (f32x4.mul (local.get $a) (local.get $a))) (local.get $p)) (local.get $exp_min)))
      (local.set $m (f32x4.add (f32x4.mul (local.get $v) (local.get $log2e)) (local.get $magic)))
      (local.set $n (f32x4.sub (local.get $m) (local.get $magic)))
      (local.set $r (f32x4.sub (local.get $v) (f32x4.mul (local.get $n) (local.get $ln2_hi))))
      (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (local.get $ln2_lo))))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e6)) (local.get $e5)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e)) (local.get $e4)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e)) (local.get $e3)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e)) (local.get $e2)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e)) (local.get $e1)))
      (local.set $e (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (local.get $e)) (local.get $r)) (local.get $one)))
      (local.set $e (f32x4.mul (local.get $e) (i32x4.shl (i32x4.add (local.get $m) (local.get $bias)) (i32.const 23))))
      (local.set $h (f32x4.mul (local.get $half) (f32x4.mul (local.get $t) (local.get $e))))
      (local.set $c (v128.bitselect (local.get $h) (f32x4.sub (local.get $one) (local.get $h)) (f32x4.lt (local.get $xv) (v128.const i32x4 0 0 0 0))))
      ;; e = exp(-x²/2), same expf; then d = Φ + x·e/√(2π), y = x·Φ
      (local.set $v (f32x4.pmax (f32x4.mul (f32x4.mul (local.get $xv) (local.get $xv)) (local.get $minus_half)) (local.get $exp_min)))
      (local.set $m (f32x4.add (f32x4.mul (local.get $v) (local.get $log2e)) (local.get $magic)))
      (local.set $n (f32x4.sub (local.get $m) (local.get $magic)))
      (local.set $r (f32x4.sub (local.get $v) (f32x4.mul (local.get $n) (local.get $ln2_hi))))
      (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (local.get $ln2_lo))))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e6)) (local.get $e5)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e)) (local.get $e4)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e)) (local.get $e3)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e)) (local.get $e2)))
      (local.set $e (f32x4.add (f32x4.mul (local.get $r) (local.get $e)) (local.get $e1)))
      (local.set $e (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (local.get $e)) (local.get $r)) (local.get $one)))
      (local.set $e (f32x4.mul (local.get $e) (i32x4.shl (i32x4.add (local.get $m) (local.get $bias)) (i32.const 23))))
      (local.set $e (f32x4.add (local.get $c) (f32x4.mul (f32x4.mul (local.get $xv) (local.get $inv_sqrt_2pi)) (local.get $e))))
      (local.set $c (f32x4.mul (local.get $xv) (local.get $c)))
      (if (i32.ge_u (local.get $left) (i32.const 4))
        (then
          (v128.store align=4 (local.get $y) (local.get $c))
          (v128.store align=4 (local.get $d) (local.get $e))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (local.set $y (i32.add (local.get $y) (i32.const 16)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (local.set $left (i32.sub (local.get $left) (i32.const 4))))
        (else
          (v128.store32_lane align=4 0 (local.get $y) (local.get $c))
          (v128.store32_lane align=4 0 (local.get $d) (local.get $e))
          (local.set $x (i32.add (local.get $x) (i32.const 4)))
          (local.set $y (i32.add (local.get $y) (i32.const 4)))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (local.set $left (i32.sub (local.get $left) (i32.const 1)))))
      (br $next))))


  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; LayerNorm over rows of D floats: mean, biased variance of (x - mean), rstd = 1/sqrt(var + eps),
  ;; xhat = (x - mean)·rstd, y = xhat·gamma + beta. Writes y, xhat [rows, D] and rstd [rows].
  (func (export "layer_norm_fwd") (param $x i32) (param $g i32) (param $b i32) (param $y i32)
      (param $xh i32) (param $rs i32) (param $rows i32) (param $dim i32) (param $eps f32)
    (local $vecBytes i32) (local $rowBytes i32) (local $j i32) (local $acc v128) (local $s f32)
    (local $mean f32) (local $rstd f32) (local $mv v128) (local $rv v128) (local $c v128) (local $cs f32)
    (local $fd f32)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $vecBytes (i32.shl (i32.and (local.get $dim) (i32.const -4)) (i32.const 2)))
    (local.set $fd (f32.convert_i32_u (local.get $dim)))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.eqz (local.get $rows)))
      ;; pass 1: sum
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $vecBytes)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load align=4 (i32.add (local.get $x) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l)))
      (local.set $s (call $hsum (local.get $acc)))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $s (f32.add (local.get $s) (f32.load (i32.add (local.get $x) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l)))
      (local.set $mean (f32.div (local.get $s) (local.get $fd)))
      (local.set $mv (f32x4.splat (local.get $mean)))
      ;; pass 2: sum of squared deviations
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $vecBytes)))
        (local.set $c (f32x4.sub (v128.load align=4 (i32.add (local.get $x) (local.get $j))) (local.get $mv)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $c) (local.get $c))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l)))
      (local.set $s (call $hsum (local.get $acc)))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $cs (f32.sub (f32.load (i32.add (local.get $x) (local.get $j))) (local.get $mean)))
        (local.set $s (f32.add (local.get $s) (f32.mul (local.get $cs) (local.get $cs))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l)))
      (local.set $rstd (f32.div (f32.const 1) (f32.sqrt (f32.add (f32.div (local.get $s) (local.get $fd)) (local.get $eps)))))
      (f32.store (local.get $rs) (local.get $rstd))
      (local.set $rv (f32x4.splat (local.get $rstd)))
      ;; pass 3: xhat and y
      (local.set $j (i32.const 0))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $vecBytes)))
        (local.set $c (f32x4.mul (f32x4.sub (v128.load align=4 (i32.add (local.get $x) (local.get $j))) (local.get $mv)) (local.get $rv)))
        (v128.store align=4 (i32.add (local.get $xh) (local.get $j)) (local.get $c))
        (v128.store align=4 (i32.add (local.get $y) (local.get $j))
          (f32x4.add (f32x4.mul (local.get $c) (v128.load align=4 (i32.add (local.get $g) (local.get $j))))
            (v128.load align=4 (i32.add (local.get $b) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l)))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $cs (f32.mul (f32.sub (f32.load (i32.add (local.get $x) (local.get $j))) (local.get $mean)) (local.get $rstd)))
        (f32.store (i32.add (local.get $xh) (local.get $j)) (local.get $cs))
        (f32.store (i32.add (local.get $y) (local.get $j))
          (f32.add (f32.mul (local.get $cs) (f32.load (i32.add (local.get $g) (local.get $j))))
            (f32.load (i32.add (local.get $b) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $rowBytes)))
      (local.set $xh (i32.add (local.get $xh) (local.get $rowBytes)))
      (local.set $rs (i32.add (local.get $rs) (i32.const 4)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br $row))))

  ;; LayerNorm backward over rows of D floats, with g = dy·gamma:
  ;; dx = rstd·((g - mean(g)) - xhat·mean(g·xhat)); dgamma += dy·xhat and dbeta += dy summed over
  ;; rows (dgamma and dbeta must hold zeros, or a partial sum, on entry).
  (func (export "layer_norm_bwd") (param $dy i32) (param $xh i32) (param $rs i32) (param $g i32)
      (param $dx i32) (param $dg i32) (param $db i32) (param $rows i32) (param $dim i32)
    (local $vecBytes i32) (local $rowBytes i32) (local $j i32) (local $accG v128) (local $accGX v128)
    (local $sG f32) (local $sGX f32) (local $dyv v128) (local $hv v128) (local $gv v128)
    (local $dys f32) (local $hs f32) (local $gs f32) (local $mG v128) (local $mGX v128) (local $rv v128)
    (local $mGs f32) (local $mGXs f32) (local $rstd f32) (local $fd f32)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $vecBytes (i32.shl (i32.and (local.get $dim) (i32.const -4)) (i32.const 2)))
    (local.set $fd (f32.convert_i32_u (local.get $dim)))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.eqz (local.get $rows)))
      ;; pass 1: sums of g and g·xhat; accumulate dgamma, dbeta
      (local.set $accG (v128.const i32x4 0 0 0 0))
      (local.set $accGX (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $vecBytes)))
        (local.set $dyv (v128.load align=4 (i32.add (local.get $dy) (local.get $j))))
        (local.set $hv (v128.load align=4 (i32.add (local.get $xh) (local.get $j))))
        (local.set $gv (f32x4.mul (local.get $dyv) (v128.load align=4 (i32.add (local.get $g) (local.get $j)))))
        (local.set $accG (f32x4.add (local.get $accG) (local.get $gv)))
        (local.set $accGX (f32x4.add (local.get $accGX) (f32x4.mul (local.get $gv) (local.get $hv))))
        (v128.store align=4 (i32.add (local.get $dg) (local.get $j))
          (f32x4.add (v128.load align=4 (i32.add (local.get $dg) (local.get $j))) (f32x4.mul (local.get $dyv) (local.get $hv))))
        (v128.store align=4 (i32.add (local.get $db) (local.get $j))
          (f32x4.add (v128.load align=4 (i32.add (local.get $db) (local.get $j))) (local.get $dyv)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l)))
      (local.set $sG (call $hsum (local.get $accG)))
      (local.set $sGX (call $hsum (local.get $accGX)))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $dys (f32.load (i32.add (local.get $dy) (local.get $j))))
        (local.set $hs (f32.load (i32.add (local.get $xh) (local.get $j))))
        (local.set $gs (f32.mul (local.get $dys) (f32.load (i32.add (local.get $g) (local.get $j)))))
        (local.set $sG (f32.add (local.get $sG) (local.get $gs)))
        (local.set $sGX (f32.add (local.get $sGX) (f32.mul (local.get $gs) (local.get $hs))))
        (f32.store (i32.add (local.get $dg) (local.get $j))
          (f32.add (f32.load (i32.add (local.get $dg) (local.get $j))) (f32.mul (local.get $dys) (local.get $hs))))
        (f32.store (i32.add (local.get $db) (local.get $j))
          (f32.add (f32.load (i32.add (local.get $db) (local.get $j))) (local.get $dys)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l)))
      (local.set $mGs (f32.div (local.get $sG) (local.get $fd)))
      (local.set $mGXs (f32.div (local.get $sGX) (local.get $fd)))
      (local.set $rstd (f32.load (local.get $rs)))
      (local.set $mG (f32x4.splat (local.get $mGs)))
      (local.set $mGX (f32x4.splat (local.get $mGXs)))
      (local.set $rv (f32x4.splat (local.get $rstd)))
      ;; pass 2: dx
      (local.set $j (i32.const 0))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $vecBytes)))
        (local.set $gv (f32x4.mul (v128.load align=4 (i32.add (local.get $dy) (local.get $j))) (v128.load align=4 (i32.add (local.get $g) (local.get $j)))))
        (v128.store align=4 (i32.add (local.get $dx) (local.get $j))
          (f32x4.mul (local.get $rv)
            (f32x4.sub (f32x4.sub (local.get $gv) (local.get $mG))
              (f32x4.mul (v128.load align=4 (i32.add (local.get $xh) (local.get $j))) (local.get $mGX)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l)))
      (block $e (loop $l
        (br_if $e (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (local.set $gs (f32.mul (f32.load (i32.add (local.get $dy) (local.get $j))) (f32.load (i32.add (local.get $g) (local.get $j)))))
        (f32.store (i32.add (local.get $dx) (local.get $j))
          (f32.mul (local.get $rstd)
            (f32.sub (f32.sub (local.get $gs) (local.get $mGs))
              (f32.mul (f32.load (i32.add (local.get $xh) (local.get $j))) (local.get $mGXs)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l)))
      (local.set $dy (i32.add (local.get $dy) (local.get $rowBytes)))
      (local.set $xh (i32.add (local.get $xh) (local.get $rowBytes)))
      (local.set $dx (i32.add (local.get $dx) (local.get $rowBytes)))
      (local.set $rs (i32.add (local.get $rs) (i32.const 4)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br $row))))

;; One 4×4 block of 4-byte values: rows src, src + rowBytes, ... → columns dst, dst + colBytes, ...
  ;; (4 loads, 8 shuffles, 4 stores).
  (func $block4x4 (param $src i32) (param $dst i32) (param $rowBytes i32) (param $colBytes i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r0 (v128.load align=4 (local.get $src)))
    (local.set $r1 (v128.load align=4 (i32.add (local.get $src) (local.get $rowBytes))))
    (local.set $r2 (v128.load align=4 (i32.add (local.get $src) (i32.shl (local.get $rowBytes) (i32.const 1)))))
    (local.set $r3 (v128.load align=4 (i32.add (local.get $src) (i32.mul (local.get $rowBytes) (i32.const 3)))))
    ;; t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
    ;; columns: a0 b0 c0 d0 | a1 b1 c1 d1 | a2 b2 c2 d2 | a3 b3 c3 d3
    (v128.store align=4 (local.get $dst)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (v128.store align=4 (i32.add (local.get $dst) (local.get $colBytes))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (v128.store align=4 (i32.add (local.get $dst) (i32.shl (local.get $colBytes) (i32.const 1)))
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (v128.store align=4 (i32.add (local.get $dst) (i32.mul (local.get $colBytes) (i32.const 3)))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))))

  ;; Transposes `batch` matrices of rows × cols 4-byte values (x: [batch, rows, cols] →
  ;; y: [batch, cols, rows]); the bits are copied, so it serves float32 and int32 alike.
  ;; Tall matrices (rows > cols, e.g. the [M, K] activations whose transpose a weight gradient
  ;; needs) go 16 source rows at a time, so each visit writes whole 64-byte lines of the
  ;; destination rows: those lie rows·4 bytes apart, often a power of two, and partial lines would
  ;; evict each other (cache set conflicts; 3-5 ns per value instead of ~0.2). The rest goes in 4×4
  ;; blocks with the columns walked in tiles of 64 (the 64 destination rows being filled stay in
  ;; L1); the rows mod 4 and cols mod 4 edges are copied one value at a time.
  (func (export "transpose_32") (param $x i32) (param $y i32) (param $batch i32) (param $rows i32) (param $cols i32)
    (local $rows4 i32) (local $cols4 i32) (local $jt i32) (local $jend i32) (local $i i32) (local $j i32)
    (local $k i32) (local $iStart i32) (local $src i32) (local $dst i32) (local $rowBytes i32) (local $colBytes i32)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $cols4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2))) ;; one source row
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2))) ;; one destination row
    ;; rows [0, iStart) go through the 16-row path
    (local.set $iStart (select (i32.and (local.get $rows) (i32.const -16)) (i32.const 0)
      (i32.gt_u (local.get $rows) (local.get $cols))))
    (block $batchDone (loop $nextBatch
      (br_if $batchDone (i32.eqz (local.get $batch)))
      ;; tall: 16 rows × 4 columns per step, four 4×4 blocks filling 64 bytes of 4 destination rows
      (local.set $i (i32.const 0))
      (block $rowsDone (loop $nextRows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $iStart)))
        (local.set $j (i32.const 0))
        (block $colsDone (loop $nextCols
          (br_if $colsDone (i32.ge_u (local.get $j) (local.get $cols4)))
          ;; src = x + (i·cols + j)·4, dst = y + (j·rows + i)·4
          (local.set $src (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))
          (local.set $dst (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2))))
          (local.set $k (i32.const 0))
          (block $kDone (loop $nextK
            (br_if $kDone (i32.ge_u (local.get $k) (i32.const 4)))
            (call $block4x4 (local.get $src) (local.get $dst) (local.get $rowBytes) (local.get $colBytes))
            (local.set $src (i32.add (local.get $src) (i32.shl (local.get $rowBytes) (i32.const 2))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $nextK)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $nextCols)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $nextRows)))
      ;; rows [iStart, rows4): 4×4 blocks, column tiles of 64
      (local.set $jt (i32.const 0))
      (block $tilesDone (loop $nextTile
        (br_if $tilesDone (i32.ge_u (local.get $jt) (local.get $cols4)))
        (local.set $jend (select (i32.add (local.get $jt) (i32.const 64)) (local.get $cols4)
          (i32.lt_u (i32.add (local.get $jt) (i32.const 64)) (local.get $cols4))))
        (local.set $i (local.get $iStart))
        (block $rowsDone (loop $nextRows
          (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows4)))
          (local.set $j (local.get $jt))
          (block $colsDone (loop $nextCols
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $jend)))
            (call $block4x4
              (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))
              (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
              (local.get $rowBytes) (local.get $colBytes))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $nextCols)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $nextRows)))
        (local.set $jt (local.get $jend))
        (br $nextTile)))
      ;; edge: columns cols4..cols of rows 0..rows4
      (local.set $i (i32.const 0))
      (block $e1 (loop $l1
        (br_if $e1 (i32.ge_u (local.get $i) (local.get $rows4)))
        (local.set $j (local.get $cols4))
        (block $e2 (loop $l2
          (br_if $e2 (i32.ge_u (local.get $j) (local.get $cols)))
          (i32.store (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
            (i32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $l2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l1)))
      ;; edge: rows rows4..rows, all columns
      (local.set $i (local.get $rows4))
      (block $e1 (loop $l1
        (br_if $e1 (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $e2 (loop $l2
          (br_if $e2 (i32.ge_u (local.get $j) (local.get $cols)))
          (i32.store (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2)))
            (i32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $l2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l1)))
      (local.set $x (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rowBytes))))
      (local.set $y (i32.add (local.get $y) (i32.mul (local.get $rows) (local.get $rowBytes))))
      (local.set $batch (i32.sub (local.get $batch) (i32.const 1)))
      (br $nextBatch))))
)
