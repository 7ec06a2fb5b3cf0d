/**
 * ISO/IEC 7816 for the whole product (issue 12 item 4): command and response APDUs, status words,
 * BER-TLV, the response procedures (`ApduLink`) and the transport errors. It sits below the
 * card-reader drivers, the card applications (src/card/, src/card-face/) and the rig's card
 * emulator, and imports nothing of the product but the logger (eslint.config.mjs enforces it).
 */
export * from './ber-tlv';
export * from './command';
export * from './errors';
export * from './link';
export * from './response';
export * from './status-words';
