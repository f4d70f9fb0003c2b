/** The longest timer Node accepts (ms). @internal */
export const MAX_TIMER = 2 ** 31 - 1
