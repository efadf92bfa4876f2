/**
 * The fixed task subsets of the `quick` preset, chosen by a stated rule (checked by `subsets.test.ts`), so that a
 * sub-million-parameter policy trained for minutes can learn something measurable: it trains and is evaluated on
 * the same few tasks (an in-distribution check at memorisation scale).
 */
import type { TaskSubset } from './task-subset.js'

/**
 * ALFWorld, 12 train games: the first two games of each of the six task types in TextWorld's game order for seed
 * 42 (`gameOrder('train', { seed: 42 })`). The expert solves them in 4–9 steps.
 */
export const QUICK_ALFWORLD_GAMES: TaskSubset = {
  split: 'train',
  rule:
    "the first two games of each task type in TextWorld's seed-42 order of the 3,553 train games " +
    '(expert plans of 4–9 steps)',
  ids: [
    'train/pick_and_place_simple-Candle-None-Toilet-427/trial_T20190909_030439_155103',
    'train/pick_and_place_simple-SoapBottle-None-Toilet-408/trial_T20190907_084055_153946',
    'train/look_at_obj_in_light-Vase-None-DeskLamp-216/trial_T20190906_200458_622810',
    'train/look_at_obj_in_light-CellPhone-None-DeskLamp-318/trial_T20190909_005910_895239',
    'train/pick_clean_then_place_in_recep-Cup-None-Shelf-20/trial_T20190909_150437_976767',
    'train/pick_clean_then_place_in_recep-Tomato-None-Microwave-15/trial_T20190908_180545_702661',
    'train/pick_heat_then_place_in_recep-Tomato-None-GarbageCan-2/trial_T20190908_111609_426536',
    'train/pick_heat_then_place_in_recep-Egg-None-CounterTop-30/trial_T20190909_130401_115312',
    'train/pick_cool_then_place_in_recep-Egg-None-GarbageCan-13/trial_T20190906_191037_289101',
    'train/pick_cool_then_place_in_recep-Apple-None-GarbageCan-17/trial_T20190908_234317_973748',
    'train/pick_two_obj_and_place-TissueBox-None-Drawer-427/trial_T20190909_061021_313805',
    'train/pick_two_obj_and_place-HandTowel-None-Toilet-412/trial_T20190907_011444_964972',
  ],
  types: [
    'pick_and_place',
    'pick_and_place',
    'look_at_obj_in_light',
    'look_at_obj_in_light',
    'pick_clean_then_place_in_recep',
    'pick_clean_then_place_in_recep',
    'pick_heat_then_place_in_recep',
    'pick_heat_then_place_in_recep',
    'pick_cool_then_place_in_recep',
    'pick_cool_then_place_in_recep',
    'pick_two_obj_and_place',
    'pick_two_obj_and_place',
  ],
}

/**
 * WebShop, 8 synthetic goals of the train range (index ≥ 500, env seed 0): the first 8 in index order whose oracle
 * episode scores 1.0 in at most 5 steps without paging (`next >`) and whose oracle query is made of instruction
 * words only (so the constrained decoder, which fills `search[…]` from the instruction's words, can write it).
 */
export const QUICK_WEBSHOP_GOALS: TaskSubset = {
  split: 'train',
  envSeed: 0,
  rule:
    'the first 8 train goals (index ≥ 500, env seed 0) whose oracle scores 1.0 in ≤ 5 steps without paging, ' +
    'with a query made of instruction words (writable by the constrained decoder)',
  ids: ['501', '503', '505', '512', '515', '516', '518', '525'],
}
