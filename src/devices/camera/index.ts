export * from './camera-source';
export * from './ffmpeg-camera';
export * from './simulated-camera';
export type { RgbFrame } from './frame';
