/** Draws one delay in seconds: what delay distributions and trace replays both produce. */
export type DelaySampler = () => number;
