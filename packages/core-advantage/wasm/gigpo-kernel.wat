;; GiGPO advantages (float64, step-row statistics, step-group ids given) for a batch in linear memory. Every
;; value is computed with the same operations in the same order as the general path (`gigpoFused64` in
;; src/gigpo.ts): discounted returns backwards per trajectory; then, in input row order, the penalties and both
;; levels' shifted sums [count, first value K, sum(x - K), sum((x - K)^2)]; then the statistics and advantages. So
;; the results are bit-identical to it: WebAssembly f64 arithmetic is IEEE 754 binary64, round-to-nearest-even,
;; with no fused multiply-add, like JavaScript numbers.
;;
;; Build: `pnpm --filter @gigpo/core-advantage build:wasm` (wabt) writes src/gigpo-kernel.generated.ts.
;;
;; The caller (src/gigpo-kernel.ts) copies the columns into memory, fills the header and calls `run`, which
;; returns a status:
;;   0  done: outputs and counts are where the header says;
;;   1  unusual input (a negative id or step, a non-finite reward, ids too large for lookup tables, a trajectory
;;      in two episode groups, a step out of range or a duplicate (trajectory, step)): the caller takes the
;;      general path, which also reports input errors;
;;   2  a step-group id is used by two episode groups and a table over (episode group, id) pairs would be too
;;      large: the caller takes the general path;
;;   3  memory too small: the caller grows memory to the byte count at 132 and calls again.
;;
;; Header (byte offsets; i32 unless noted). Inputs:
;;   0 n   4 byStd (0/1)   8 episodeGroup (i32[n])   12 trajectory (i32[n])   16 step (i32[n])
;;   20 reward (f64[n])   24 valid (u8[n], 0 = invalid)   28 stepGroup (i32[n])   32 first free byte (8-aligned)
;;   64 gamma (f64)   72 invalidPenalty (f64)   80 epsilon (f64)   88 stepWeight (f64)
;; Outputs:
;;   128 status   132 bytes needed   136 episode groups   140 trajectories   144 step groups   148 invalid rows
;;   152 outputs: f64[n] stepReturn, stepReward, episodeScore, episodeAdvantage, stepAdvantage, advantage, then
;;       i32[n] stepGroup, contiguous   156 episode-group sizes (i32[groups])   160 step-group sizes (i32[groups])
;;   192..207 scratch ($validate's largest ids)
(module
  (memory (export "memory") 1)

  ;; Per trajectory, 16 bytes: +0 dense episode group, +4 length, +8 first slot (rows in (trajectory, step) order).

  (func (export "run") (result i32)
    (local $n i32) (local $byStd i32) (local $egCol i32) (local $trCol i32) (local $stepCol i32) (local $rewCol i32)
    (local $validCol i32) (local $sgCol i32) (local $gamma f64) (local $pen f64) (local $eps f64) (local $w f64)
    (local $egMax i32) (local $trMax i32) (local $sgMax i32) (local $invalid i32) (local $limit i32)
    (local $trajCap i32) (local $egCap i32) (local $top i32)
    (local $out i32) (local $trajOf i32) (local $egOf i32) (local $pairs i32) (local $egTable i32)
    (local $trTable i32) (local $traj i32) (local $slotRow i32) (local $slotReward i32) (local $trajReward i32)
    (local $eAcc i32) (local $sAcc i32) (local $idTable i32) (local $eFirst i32) (local $eNorm i32)
    (local $sNorm i32) (local $eCount i32) (local $sCount i32) (local $numEg i32) (local $numTraj i32)
    (local $numSg i32)
    (local.set $n (i32.load (i32.const 0)))
    (local.set $byStd (i32.load (i32.const 4)))
    (local.set $egCol (i32.load (i32.const 8)))
    (local.set $trCol (i32.load (i32.const 12)))
    (local.set $stepCol (i32.load (i32.const 16)))
    (local.set $rewCol (i32.load (i32.const 20)))
    (local.set $validCol (i32.load (i32.const 24)))
    (local.set $sgCol (i32.load (i32.const 28)))
    (local.set $top (i32.load (i32.const 32)))
    (local.set $gamma (f64.load (i32.const 64)))
    (local.set $pen (f64.load (i32.const 72)))
    (local.set $eps (f64.load (i32.const 80)))
    (local.set $w (f64.load (i32.const 88)))

    ;; Validate every row and find the largest ids; count invalid actions.
    (block $bad
      (local.set $invalid (call $validate (local.get $n) (local.get $egCol) (local.get $trCol) (local.get $stepCol)
        (local.get $sgCol) (local.get $rewCol) (local.get $validCol)))
      (br_if $bad (i32.lt_s (local.get $invalid) (i32.const 0)))
      (local.set $egMax (i32.load (i32.const 192)))
      (local.set $trMax (i32.load (i32.const 196)))
      (local.set $sgMax (i32.load (i32.const 200)))
      ;; Ids must be small enough for lookup tables (the general path uses Maps beyond that).
      (local.set $limit (i32.add (i32.shl (local.get $n) (i32.const 2)) (i32.const 1024)))
      (br_if $bad (i32.ge_s (local.get $egMax) (local.get $limit)))
      (br_if $bad (i32.ge_s (local.get $trMax) (local.get $limit)))
      (br_if $bad (i32.ge_s (local.get $sgMax) (local.get $limit)))
      (i32.store (i32.const 148) (local.get $invalid))
      (local.set $trajCap (call $min (local.get $n) (i32.add (local.get $trMax) (i32.const 1))))
      (local.set $egCap (call $min (local.get $n) (i32.add (local.get $egMax) (i32.const 1))))

      ;; Memory plan (bump allocation, 8-byte aligned).
      (local.set $out (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.mul (local.get $n) (i32.const 52))))
      (local.set $trajOf (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $n) (i32.const 2))))
      (local.set $egOf (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $n) (i32.const 2))))
      (local.set $egTable (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (i32.add (local.get $egMax) (i32.const 1)) (i32.const 2))))
      (local.set $trTable (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (i32.add (local.get $trMax) (i32.const 1)) (i32.const 2))))
      (local.set $traj (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $trajCap) (i32.const 4))))
      (local.set $slotRow (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $n) (i32.const 2))))
      (local.set $slotReward (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $n) (i32.const 3))))
      (local.set $trajReward (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $trajCap) (i32.const 3))))
      (local.set $eFirst (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $egCap) (i32.const 2))))
      (local.set $eAcc (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $egCap) (i32.const 5))))
      (local.set $sAcc (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $n) (i32.const 5))))
      (local.set $idTable (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (i32.add (local.get $sgMax) (i32.const 1)) (i32.const 3))))
      (local.set $eNorm (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $egCap) (i32.const 4))))
      (local.set $sNorm (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $n) (i32.const 4))))
      (local.set $eCount (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $egCap) (i32.const 2))))
      (local.set $sCount (local.get $top))
      (local.set $top (call $take (local.get $top) (i32.shl (local.get $n) (i32.const 2))))
      (if (i32.gt_u (local.get $top) (i32.shl (memory.size) (i32.const 16)))
        (then
          (i32.store (i32.const 132) (local.get $top))
          (i32.store (i32.const 128) (i32.const 3))
          (return (i32.const 3))))
      (i32.store (i32.const 152) (local.get $out))
      (i32.store (i32.const 156) (local.get $eCount))
      (i32.store (i32.const 160) (local.get $sCount))
      (memory.fill (local.get $egTable) (i32.const 255)
        (i32.shl (i32.add (local.get $egMax) (i32.const 1)) (i32.const 2)))
      (memory.fill (local.get $trTable) (i32.const 255)
        (i32.shl (i32.add (local.get $trMax) (i32.const 1)) (i32.const 2)))
      (memory.fill (local.get $slotRow) (i32.const 255) (i32.shl (local.get $n) (i32.const 2)))
      (memory.fill (local.get $eAcc) (i32.const 0) (i32.shl (local.get $egCap) (i32.const 5)))
      (memory.fill (local.get $idTable) (i32.const 0)
        (i32.shl (i32.add (local.get $sgMax) (i32.const 1)) (i32.const 3)))

      (local.set $numTraj (call $denseIds (local.get $n) (local.get $egCol) (local.get $trCol) (local.get $egTable)
        (local.get $trTable) (local.get $traj) (local.get $trajOf) (local.get $eFirst)))
      (br_if $bad (i32.lt_s (local.get $numTraj) (i32.const 0)))
      (local.set $numEg (call $firstSlots (local.get $numTraj) (local.get $traj) (local.get $eAcc)))
      (br_if $bad (i32.eqz (call $placeBySlot (local.get $n) (local.get $stepCol) (local.get $rewCol)
        (local.get $trajOf) (local.get $traj) (local.get $slotRow) (local.get $slotReward))))
      ;; stepReturn is the first output array.
      (br_if $bad (i32.eqz (call $returns (local.get $numTraj) (local.get $traj) (local.get $slotRow)
        (local.get $slotReward) (local.get $gamma) (local.get $out) (local.get $trajReward))))
      (call $episodeFirst (local.get $numEg) (local.get $eFirst) (local.get $trajOf) (local.get $validCol)
        (local.get $trajReward) (local.get $eAcc) (local.get $pen))
      (local.set $numSg (call $rowSums (local.get $n) (local.get $out) (local.get $trajOf) (local.get $traj)
        (local.get $validCol) (local.get $sgCol) (local.get $trajReward) (local.get $eAcc) (local.get $sAcc)
        (local.get $idTable) (local.get $pen) (local.get $egOf) (i32.const 0)))
      (if (i32.lt_s (local.get $numSg) (i32.const 0))
        (then
          ;; Some id is used by two episode groups: step groups are (episode group, id) pairs, numbered in
          ;; first-seen order, when a table over all pairs is small; else the caller takes another path.
          (if (i64.ge_u (i64.mul (i64.extend_i32_u (local.get $numEg))
                                 (i64.extend_i32_u (i32.add (local.get $sgMax) (i32.const 1))))
                        (i64.extend_i32_u (local.get $limit)))
            (then
              (i32.store (i32.const 128) (i32.const 2))
              (return (i32.const 2))))
          (local.set $pairs
            (i32.shl (i32.mul (local.get $numEg) (i32.add (local.get $sgMax) (i32.const 1))) (i32.const 3)))
          (local.set $top (call $take (local.get $top) (local.get $pairs)))
          (if (i32.gt_u (local.get $top) (i32.shl (memory.size) (i32.const 16)))
            (then
              (i32.store (i32.const 132) (local.get $top))
              (i32.store (i32.const 128) (i32.const 3))
              (return (i32.const 3))))
          (memory.fill (i32.sub (local.get $top) (local.get $pairs)) (i32.const 0) (local.get $pairs))
          (call $clearSums (local.get $numEg) (local.get $eAcc))
          (local.set $numSg (call $rowSums (local.get $n) (local.get $out) (local.get $trajOf) (local.get $traj)
            (local.get $validCol) (local.get $sgCol) (local.get $trajReward) (local.get $eAcc) (local.get $sAcc)
            (i32.sub (local.get $top) (local.get $pairs)) (local.get $pen) (local.get $egOf)
            (i32.add (local.get $sgMax) (i32.const 1))))))
      (call $normalizers (local.get $numEg) (local.get $eAcc) (local.get $eCount) (local.get $eNorm)
        (i32.const 1) (local.get $byStd) (local.get $eps))
      (call $normalizers (local.get $numSg) (local.get $sAcc) (local.get $sCount) (local.get $sNorm)
        (i32.const 0) (local.get $byStd) (local.get $eps))
      (call $advantages (local.get $n) (local.get $out) (local.get $egOf) (local.get $eNorm)
        (local.get $sNorm) (local.get $w))
      (i32.store (i32.const 136) (local.get $numEg))
      (i32.store (i32.const 140) (local.get $numTraj))
      (i32.store (i32.const 144) (local.get $numSg))
      (i32.store (i32.const 128) (i32.const 0))
      (return (i32.const 0)))
    (i32.store (i32.const 128) (i32.const 1))
    (i32.const 1))

  ;; Checks every row (ids and steps non-negative, rewards finite), four rows at a time, and writes the largest
  ;; episode-group, trajectory and step-group ids to bytes 192, 196 and 200. Returns the number of invalid
  ;; actions, or -1 for a bad row.
  (func $validate (param $n i32) (param $egCol i32) (param $trCol i32) (param $stepCol i32) (param $sgCol i32)
        (param $rewCol i32) (param $validCol i32) (result i32)
    (local $i i32) (local $end i32) (local $at i32) (local $e v128) (local $t v128) (local $id v128)
    (local $or v128) (local $egMax v128) (local $trMax v128) (local $sgMax v128) (local $nan v128)
    (local $r f64) (local $invalid i32)
    ;; Four rows at a time.
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (loop $quads
      (if (i32.lt_u (local.get $i) (local.get $end))
        (then
          (local.set $at (i32.shl (local.get $i) (i32.const 2)))
          (local.set $e (v128.load (i32.add (local.get $egCol) (local.get $at))))
          (local.set $t (v128.load (i32.add (local.get $trCol) (local.get $at))))
          (local.set $id (v128.load (i32.add (local.get $sgCol) (local.get $at))))
          (local.set $or (v128.or (local.get $or) (v128.or (v128.or (local.get $e) (local.get $t))
            (v128.or (local.get $id) (v128.load (i32.add (local.get $stepCol) (local.get $at)))))))
          (local.set $egMax (i32x4.max_s (local.get $egMax) (local.get $e)))
          (local.set $trMax (i32x4.max_s (local.get $trMax) (local.get $t)))
          (local.set $sgMax (i32x4.max_s (local.get $sgMax) (local.get $id)))
          ;; x - x is 0 for a finite x and NaN otherwise; NaN survives the sum.
          (local.set $at (i32.add (local.get $rewCol) (i32.shl (local.get $i) (i32.const 3))))
          (local.set $nan (f64x2.add (local.get $nan) (f64x2.add
            (f64x2.sub (v128.load (local.get $at)) (v128.load (local.get $at)))
            (f64x2.sub (v128.load offset=16 (local.get $at)) (v128.load offset=16 (local.get $at))))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $quads))))
    ;; The rest, one row at a time (in lane 0).
    (loop $rows
      (if (i32.lt_u (local.get $i) (local.get $n))
        (then
          (local.set $at (i32.shl (local.get $i) (i32.const 2)))
          (local.set $e (i32x4.splat (i32.load (i32.add (local.get $egCol) (local.get $at)))))
          (local.set $t (i32x4.splat (i32.load (i32.add (local.get $trCol) (local.get $at)))))
          (local.set $id (i32x4.splat (i32.load (i32.add (local.get $sgCol) (local.get $at)))))
          (local.set $or (v128.or (local.get $or) (v128.or (v128.or (local.get $e) (local.get $t))
            (v128.or (local.get $id) (i32x4.splat (i32.load (i32.add (local.get $stepCol) (local.get $at))))))))
          (local.set $egMax (i32x4.max_s (local.get $egMax) (local.get $e)))
          (local.set $trMax (i32x4.max_s (local.get $trMax) (local.get $t)))
          (local.set $sgMax (i32x4.max_s (local.get $sgMax) (local.get $id)))
          (local.set $r (f64.load (i32.add (local.get $rewCol) (i32.shl (local.get $i) (i32.const 3)))))
          (local.set $nan (f64x2.add (local.get $nan) (f64x2.splat (f64.sub (local.get $r) (local.get $r)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows))))
    (if (i32x4.bitmask (local.get $or)) (then (return (i32.const -1))))
    (if (i32.eqz (i64x2.all_true (f64x2.eq (local.get $nan) (local.get $nan)))) (then (return (i32.const -1))))
    (i32.store (i32.const 192) (call $maxLane (local.get $egMax)))
    (i32.store (i32.const 196) (call $maxLane (local.get $trMax)))
    (i32.store (i32.const 200) (call $maxLane (local.get $sgMax)))
    ;; Invalid actions: zero bytes, sixteen at a time.
    (local.set $i (i32.const 0))
    (local.set $end (i32.and (local.get $n) (i32.const -16)))
    (loop $chunks
      (if (i32.lt_u (local.get $i) (local.get $end))
        (then
          (local.set $invalid (i32.add (local.get $invalid) (i32.popcnt (i8x16.bitmask
            (i8x16.eq (v128.load (i32.add (local.get $validCol) (local.get $i))) (v128.const i32x4 0 0 0 0))))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $chunks))))
    (loop $bytes
      (if (i32.lt_u (local.get $i) (local.get $n))
        (then
          (local.set $invalid (i32.add (local.get $invalid)
            (i32.eqz (i32.load8_u (i32.add (local.get $validCol) (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $bytes))))
    (local.get $invalid))

  (func $maxLane (param $v v128) (result i32)
    (call $max (call $max (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
               (call $max (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  (func $max (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.gt_s (local.get $a) (local.get $b))))

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_u (local.get $a) (local.get $b))))

  ;; The address after `bytes` bytes from `at`, rounded up to a multiple of 8.
  (func $take (param $at i32) (param $bytes i32) (result i32)
    (i32.and (i32.add (i32.add (local.get $at) (local.get $bytes)) (i32.const 7)) (i32.const -8)))

  ;; Dense episode-group and trajectory ids in first-seen order, each group's first row, and trajectory lengths.
  ;; Returns the number of trajectories, or -1 if a trajectory appears in two episode groups.
  (func $denseIds (param $n i32) (param $egCol i32) (param $trCol i32) (param $egTable i32) (param $trTable i32)
        (param $traj i32) (param $trajOf i32) (param $eFirst i32) (result i32)
    (local $i i32) (local $e i32) (local $g i32) (local $t i32) (local $d i32) (local $at i32)
    (local $numEg i32) (local $numTraj i32)
    (loop $rows
      (if (i32.lt_u (local.get $i) (local.get $n))
        (then
          (local.set $e (i32.add (local.get $egTable)
            (i32.shl (i32.load (i32.add (local.get $egCol) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2))))
          (local.set $g (i32.load (local.get $e)))
          (if (i32.lt_s (local.get $g) (i32.const 0))
            (then
              (local.set $g (local.get $numEg))
              (i32.store (local.get $e) (local.get $g))
              (i32.store (i32.add (local.get $eFirst) (i32.shl (local.get $g) (i32.const 2))) (local.get $i))
              (local.set $numEg (i32.add (local.get $numEg) (i32.const 1)))))
          (local.set $t (i32.add (local.get $trTable)
            (i32.shl (i32.load (i32.add (local.get $trCol) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2))))
          (local.set $d (i32.load (local.get $t)))
          (if (i32.lt_s (local.get $d) (i32.const 0))
            (then
              (local.set $d (local.get $numTraj))
              (i32.store (local.get $t) (local.get $d))
              (local.set $numTraj (i32.add (local.get $numTraj) (i32.const 1)))
              (local.set $at (i32.add (local.get $traj) (i32.shl (local.get $d) (i32.const 4))))
              (i32.store (local.get $at) (local.get $g))
              (i32.store offset=4 (local.get $at) (i32.const 0)))
            (else
              (local.set $at (i32.add (local.get $traj) (i32.shl (local.get $d) (i32.const 4))))
              (if (i32.ne (i32.load (local.get $at)) (local.get $g)) (then (return (i32.const -1))))))
          (i32.store (i32.add (local.get $trajOf) (i32.shl (local.get $i) (i32.const 2))) (local.get $d))
          (i32.store offset=4 (local.get $at) (i32.add (i32.load offset=4 (local.get $at)) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows))))
    (local.get $numTraj))

  ;; Each trajectory's first slot (trajectories back to back in dense order) and each episode group's size (the
  ;; count of its accumulator). Returns the number of episode groups.
  (func $firstSlots (param $numTraj i32) (param $traj i32) (param $eAcc i32) (result i32)
    (local $d i32) (local $at i32) (local $first i32) (local $numEg i32) (local $a i32)
    (loop $trajs
      (if (i32.lt_u (local.get $d) (local.get $numTraj))
        (then
          (local.set $at (i32.add (local.get $traj) (i32.shl (local.get $d) (i32.const 4))))
          (if (i32.ge_s (i32.load (local.get $at)) (local.get $numEg))
            (then (local.set $numEg (i32.add (i32.load (local.get $at)) (i32.const 1)))))
          (i32.store offset=8 (local.get $at) (local.get $first))
          (local.set $first (i32.add (local.get $first) (i32.load offset=4 (local.get $at))))
          (local.set $a (i32.add (local.get $eAcc) (i32.shl (i32.load (local.get $at)) (i32.const 5))))
          (f64.store (local.get $a) (f64.add (f64.load (local.get $a))
            (f64.convert_i32_s (i32.load offset=4 (local.get $at)))))
          (local.set $d (i32.add (local.get $d) (i32.const 1)))
          (br $trajs))))
    (local.get $numEg))

  ;; Each row's index and reward at its (trajectory, step) slot. Returns 0 if a step is out of range.
  (func $placeBySlot (param $n i32) (param $stepCol i32) (param $rewCol i32) (param $trajOf i32) (param $traj i32)
        (param $slotRow i32) (param $slotReward i32) (result i32)
    (local $i i32) (local $at i32) (local $st i32) (local $slot i32)
    (loop $rows
      (if (i32.lt_u (local.get $i) (local.get $n))
        (then
          (local.set $at (i32.add (local.get $traj)
            (i32.shl (i32.load (i32.add (local.get $trajOf) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 4))))
          (local.set $st (i32.load (i32.add (local.get $stepCol) (i32.shl (local.get $i) (i32.const 2)))))
          (if (i32.ge_s (local.get $st) (i32.load offset=4 (local.get $at))) (then (return (i32.const 0))))
          (local.set $slot (i32.add (i32.load offset=8 (local.get $at)) (local.get $st)))
          (i32.store (i32.add (local.get $slotRow) (i32.shl (local.get $slot) (i32.const 2))) (local.get $i))
          (f64.store (i32.add (local.get $slotReward) (i32.shl (local.get $slot) (i32.const 3)))
            (f64.load (i32.add (local.get $rewCol) (i32.shl (local.get $i) (i32.const 3)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows))))
    (i32.const 1))

  ;; Eq. 5 per trajectory, backwards over its slots, into stepReturn (row order); episode rewards. Returns 0 if a
  ;; slot is empty (a duplicate (trajectory, step)).
  (func $returns (param $numTraj i32) (param $traj i32) (param $slotRow i32) (param $slotReward i32)
        (param $gamma f64) (param $stepReturn i32) (param $trajReward i32) (result i32)
    (local $d i32) (local $at i32) (local $b i32) (local $x i32) (local $i i32) (local $r f64)
    (local $running f64) (local $total f64)
    (loop $trajs
      (if (i32.lt_u (local.get $d) (local.get $numTraj))
        (then
          (local.set $at (i32.add (local.get $traj) (i32.shl (local.get $d) (i32.const 4))))
          (local.set $b (i32.load offset=8 (local.get $at)))
          (local.set $x (i32.add (local.get $b) (i32.load offset=4 (local.get $at))))
          (local.set $running (f64.const 0))
          (local.set $total (f64.const 0))
          (loop $steps
            (if (i32.gt_s (local.get $x) (local.get $b))
              (then
                (local.set $x (i32.sub (local.get $x) (i32.const 1)))
                (local.set $i (i32.load (i32.add (local.get $slotRow) (i32.shl (local.get $x) (i32.const 2)))))
                (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const 0))))
                (local.set $r (f64.load (i32.add (local.get $slotReward) (i32.shl (local.get $x) (i32.const 3)))))
                (local.set $running (f64.add (local.get $r) (f64.mul (local.get $gamma) (local.get $running))))
                (local.set $total (f64.add (local.get $total) (local.get $r)))
                (f64.store (i32.add (local.get $stepReturn) (i32.shl (local.get $i) (i32.const 3)))
                  (local.get $running))
                (br $steps))))
          (f64.store (i32.add (local.get $trajReward) (i32.shl (local.get $d) (i32.const 3))) (local.get $total))
          (local.set $d (i32.add (local.get $d) (i32.const 1)))
          (br $trajs))))
    (i32.const 1))

  ;; Each episode group's K: the episode score of its first row (so the row loop needs no first-row test).
  (func $episodeFirst (param $numEg i32) (param $eFirst i32) (param $trajOf i32) (param $validCol i32)
        (param $trajReward i32) (param $eAcc i32) (param $pen f64)
    (local $g i32) (local $i i32) (local $sc f64)
    (loop $groups
      (if (i32.lt_u (local.get $g) (local.get $numEg))
        (then
          (local.set $i (i32.load (i32.add (local.get $eFirst) (i32.shl (local.get $g) (i32.const 2)))))
          (local.set $sc (f64.load (i32.add (local.get $trajReward)
            (i32.shl (i32.load (i32.add (local.get $trajOf) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3)))))
          (if (i32.eqz (i32.load8_u (i32.add (local.get $validCol) (local.get $i))))
            (then (local.set $sc (f64.sub (local.get $sc) (local.get $pen)))))
          (f64.store offset=8 (i32.add (local.get $eAcc) (i32.shl (local.get $g) (i32.const 5))) (local.get $sc))
          (local.set $g (i32.add (local.get $g) (i32.const 1)))
          (br $groups)))))

  ;; Zeroes the sums of the episode-level accumulators (keeping count and K).
  (func $clearSums (param $numEg i32) (param $eAcc i32)
    (local $g i32) (local $a i32)
    (loop $groups
      (if (i32.lt_u (local.get $g) (local.get $numEg))
        (then
          (local.set $a (i32.add (local.get $eAcc) (i32.shl (local.get $g) (i32.const 5))))
          (f64.store offset=16 (local.get $a) (f64.const 0))
          (f64.store offset=24 (local.get $a) (f64.const 0))
          (local.set $g (i32.add (local.get $g) (i32.const 1)))
          (br $groups)))))

  ;; Penalised step rewards and episode scores, each row's episode group, and both levels' accumulators [count,
  ;; first value K, sum(x - K), sum((x - K)^2)] (32 bytes), in row order; step groups numbered in first-seen order.
  ;; The table holds [1 + owner episode group, step group] per key: the id, or with a $pairStride the pair
  ;; (episode group, id) at g * pairStride + id. Returns the number of step groups, or -1 if an id is used by two
  ;; episode groups.
  (func $rowSums (param $n i32) (param $out i32) (param $trajOf i32) (param $traj i32) (param $validCol i32)
        (param $sgCol i32) (param $trajReward i32) (param $eAcc i32) (param $sAcc i32) (param $idTable i32)
        (param $pen f64) (param $egOf i32) (param $pairStride i32) (result i32)
    (local $i i32) (local $n8 i32) (local $d i32) (local $g i32) (local $sr f64) (local $sc f64) (local $a i32)
    (local $delta f64) (local $it i32) (local $owner i32) (local $q i32) (local $numSg i32) (local $st i32)
    (local $i4 i32) (local $stepGroup i32)
    (local.set $n8 (i32.shl (local.get $n) (i32.const 3)))
    ;; stepGroup: out + 48n.
    (local.set $stepGroup (i32.add (local.get $out) (i32.mul (local.get $n8) (i32.const 6))))
    (loop $rows
      (if (i32.lt_u (local.get $i) (local.get $n))
        (then
          (local.set $i4 (i32.shl (local.get $i) (i32.const 2)))
          (local.set $d (i32.load (i32.add (local.get $trajOf) (local.get $i4))))
          (local.set $g (i32.load (i32.add (local.get $traj) (i32.shl (local.get $d) (i32.const 4)))))
          (i32.store (i32.add (local.get $egOf) (local.get $i4)) (local.get $g))
          ;; out + 8i: stepReturn; + n8: stepReward; + 2 n8: episodeScore.
          (local.set $a (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
          (local.set $sr (f64.load (local.get $a)))
          (local.set $sc (f64.load (i32.add (local.get $trajReward) (i32.shl (local.get $d) (i32.const 3)))))
          (if (i32.eqz (i32.load8_u (i32.add (local.get $validCol) (local.get $i))))
            (then
              (local.set $sr (f64.sub (local.get $sr) (local.get $pen)))
              (local.set $sc (f64.sub (local.get $sc) (local.get $pen)))))
          (f64.store (i32.add (local.get $a) (local.get $n8)) (local.get $sr))
          (f64.store (i32.add (local.get $a) (i32.shl (local.get $n8) (i32.const 1))) (local.get $sc))
          ;; Episode level (count and K are set).
          (local.set $a (i32.add (local.get $eAcc) (i32.shl (local.get $g) (i32.const 5))))
          (local.set $delta (f64.sub (local.get $sc) (f64.load offset=8 (local.get $a))))
          (f64.store offset=16 (local.get $a) (f64.add (f64.load offset=16 (local.get $a)) (local.get $delta)))
          (f64.store offset=24 (local.get $a)
            (f64.add (f64.load offset=24 (local.get $a)) (f64.mul (local.get $delta) (local.get $delta))))
          ;; Step level.
          (local.set $it (i32.add (local.get $idTable) (i32.shl (i32.add
            (i32.load (i32.add (local.get $sgCol) (local.get $i4)))
            (i32.mul (local.get $g) (local.get $pairStride))) (i32.const 3))))
          (local.set $owner (i32.load (local.get $it)))
          (local.set $st (i32.add (local.get $stepGroup) (local.get $i4)))
          (if (i32.eq (local.get $owner) (i32.add (local.get $g) (i32.const 1)))
            (then
              (local.set $q (i32.load offset=4 (local.get $it)))
              (i32.store (local.get $st) (local.get $q))
              (local.set $a (i32.add (local.get $sAcc) (i32.shl (local.get $q) (i32.const 5))))
              (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.const 1)))
              (local.set $delta (f64.sub (local.get $sr) (f64.load offset=8 (local.get $a))))
              (f64.store offset=16 (local.get $a) (f64.add (f64.load offset=16 (local.get $a)) (local.get $delta)))
              (f64.store offset=24 (local.get $a)
                (f64.add (f64.load offset=24 (local.get $a)) (f64.mul (local.get $delta) (local.get $delta)))))
            (else
              (if (local.get $owner) (then (return (i32.const -1))))
              ;; A new step group: count 1, K = the value, and the sums of its (zero) deviation.
              (local.set $q (local.get $numSg))
              (local.set $numSg (i32.add (local.get $numSg) (i32.const 1)))
              (i32.store (local.get $it) (i32.add (local.get $g) (i32.const 1)))
              (i32.store offset=4 (local.get $it) (local.get $q))
              (i32.store (local.get $st) (local.get $q))
              (local.set $a (i32.add (local.get $sAcc) (i32.shl (local.get $q) (i32.const 5))))
              (local.set $delta (f64.sub (local.get $sr) (local.get $sr)))
              (f64.store (local.get $a) (f64.const 1))
              (f64.store offset=8 (local.get $a) (local.get $sr))
              (f64.store offset=16 (local.get $a) (f64.add (f64.const 0) (local.get $delta)))
              (f64.store offset=24 (local.get $a)
                (f64.add (f64.const 0) (f64.mul (local.get $delta) (local.get $delta))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows))))
    (local.get $numSg))

  ;; Per group: member count, and [mean, 1 / F_norm] (16 bytes) from its accumulator. Singletons: mean 0
  ;; ($singletonRaw, the episode level) or the value itself (the step level), std 1.
  (func $normalizers (param $groups i32) (param $acc i32) (param $count i32) (param $norm i32)
        (param $singletonRaw i32) (param $byStd i32) (param $eps f64)
    (local $g i32) (local $a i32) (local $c f64) (local $mean f64) (local $sd f64) (local $shift f64)
    (loop $groups
      (if (i32.lt_u (local.get $g) (local.get $groups))
        (then
          (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $g) (i32.const 5))))
          (local.set $c (f64.load (local.get $a)))
          (i32.store (i32.add (local.get $count) (i32.shl (local.get $g) (i32.const 2)))
            (i32.trunc_f64_s (local.get $c)))
          (local.set $sd (f64.const 1))
          (if (f64.eq (local.get $c) (f64.const 1))
            (then
              (local.set $mean (select (f64.const 0) (f64.load offset=8 (local.get $a)) (local.get $singletonRaw))))
            (else
              (local.set $shift (f64.div (f64.load offset=16 (local.get $a)) (local.get $c)))
              (local.set $mean (f64.add (f64.load offset=8 (local.get $a)) (local.get $shift)))
              (local.set $sd (f64.sqrt (f64.div
                (f64.max (f64.const 0) (f64.sub (f64.load offset=24 (local.get $a))
                                                (f64.mul (local.get $shift) (f64.load offset=16 (local.get $a)))))
                (f64.sub (local.get $c) (f64.const 1)))))))
          (local.set $a (i32.add (local.get $norm) (i32.shl (local.get $g) (i32.const 4))))
          (f64.store (local.get $a) (local.get $mean))
          (f64.store offset=8 (local.get $a)
            (select (f64.div (f64.const 1) (f64.add (local.get $sd) (local.get $eps))) (f64.const 1)
                    (local.get $byStd)))
          (local.set $g (i32.add (local.get $g) (i32.const 1)))
          (br $groups)))))

  ;; Eq. 3, Eq. 7 and Eq. 8 in row order.
  (func $advantages (param $n i32) (param $out i32) (param $egOf i32) (param $eNorm i32)
        (param $sNorm i32) (param $w f64)
    (local $i i32) (local $n8 i32) (local $a i32) (local $e i32) (local $s i32) (local $ea f64) (local $sa f64)
    (local.set $n8 (i32.shl (local.get $n) (i32.const 3)))
    (loop $rows
      (if (i32.lt_u (local.get $i) (local.get $n))
        (then
          (local.set $a (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
          ;; Each row's episode group (from rowSums).
          (local.set $e (i32.add (local.get $eNorm)
            (i32.shl (i32.load (i32.add (local.get $egOf) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 4))))
          (local.set $s (i32.add (local.get $sNorm) (i32.shl (i32.load (i32.add
            (i32.add (local.get $out) (i32.mul (local.get $n8) (i32.const 6))) (i32.shl (local.get $i) (i32.const 2))))
            (i32.const 4))))
          ;; out: +2 n8 episodeScore, +n8 stepReward, +3 n8 episodeAdvantage, +4 n8 stepAdvantage, +5 n8 advantage.
          (local.set $ea (f64.mul (f64.sub (f64.load (i32.add (local.get $a) (i32.shl (local.get $n8) (i32.const 1))))
                                           (f64.load (local.get $e)))
                                  (f64.load offset=8 (local.get $e))))
          (local.set $sa (f64.mul (f64.sub (f64.load (i32.add (local.get $a) (local.get $n8)))
                                           (f64.load (local.get $s)))
                                  (f64.load offset=8 (local.get $s))))
          (f64.store (i32.add (local.get $a) (i32.mul (local.get $n8) (i32.const 3))) (local.get $ea))
          (f64.store (i32.add (local.get $a) (i32.shl (local.get $n8) (i32.const 2))) (local.get $sa))
          (f64.store (i32.add (local.get $a) (i32.mul (local.get $n8) (i32.const 5)))
            (f64.add (local.get $ea) (f64.mul (local.get $w) (local.get $sa))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows)))))
)
