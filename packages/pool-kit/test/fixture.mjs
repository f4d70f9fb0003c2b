export const a = (x) => x
export const b = (x) => x * 2
