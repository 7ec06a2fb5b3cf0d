export * from './camera-source';
export * from './ffmpeg-camera';
export type { RgbFrame } from './frame';
