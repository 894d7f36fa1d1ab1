/** The soak's sizes: the long run (`npm run soak`) and the short one the test suite runs. */
export const LongSoak = {
  connections: { connections: 10_000, holdSeconds: 60 },
  throttle: { seconds: 60, throttleRate: 0.2, publishesPerSecond: 40, subscribers: 10 },
  restart: { seconds: 40, killAtSecond: 10, downSeconds: 10 },
  killDev: { secondsBefore: 15, secondsAfter: 15 },
} as const;

export const ShortSoak = {
  connections: { connections: 1_000, holdSeconds: 5 },
  throttle: { seconds: 10, throttleRate: 0.2, publishesPerSecond: 40, subscribers: 10 },
  restart: { seconds: 12, killAtSecond: 3, downSeconds: 3 },
  killDev: { secondsBefore: 3, secondsAfter: 3 },
} as const;
