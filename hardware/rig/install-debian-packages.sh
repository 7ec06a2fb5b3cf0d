#!/usr/bin/env bash
# System packages of the rig and the tests, on Debian 12. One list, used by the README's first
# command and by .ci/run, so the demo and CI cannot drift apart.
#   pcscd, libpcsclite-dev  PC/SC daemon and headers (the npm pcsclite module builds against them)
#   vsmartcard-vpcd         virtual reader slots the card emulator plugs into
#   pcsc-tools, opensc      pcsc_scan, and OpenSC's JPKI driver used to cross-check the emulator
#   systemd                 systemd-socket-activate (private pcscd per test run) and systemd-analyze
#                           systemd-journald + journalctl (the journal test runs its own journald
#                           in a namespace and reads it with journalctl -o json)
#   udev                    serialport's list() spawns udevadm
#   socat, tmux, ffmpeg     serial console pty pair, the panel's terminal, camera frames
#   v4l-utils               v4l2-ctl: the colour flash holds the camera's exposure (and its test runs it)
#   fonts-ipafont-gothic    Japanese font for the rendered card faces
#   fonts-noto-cjk          Noto Sans/Serif CJK JP: the independent card-face eval draws faces in
#                           fonts the product's renderer does not use (issue 13)
#   tesseract-ocr-jpn       Debian's fast Japanese LSTM data: the card-face OCR's third engine for
#                           the confirming date re-reads (src/card-face/ocr-engine.ts, issue 13)
#   mmdebstrap              the device image's Debian root from firmware/packages-<arch>.txt
#   erofs-utils, mtools, dosfstools, fdisk
#                           its read-only root (mkfs.erofs), the ESP without mounting (mkfs.vfat,
#                           mcopy), the GPT (sfdisk) — firmware/build
#   qemu-system-x86, ovmf   the HIL tier boots the amd64 image under TCG with UEFI (test/hil)
#   qemu-utils              qemu-img: the HIL guest's copy-on-write overlay, which outlives one
#                           QEMU so a guest reboot can be a cold power-on (test/hil/qemu-guest.ts)
#   prometheus              a real Prometheus scrapes the reader's metrics endpoint in the tests,
#                           and its promtool lints the exposition (issue 17, test/service/metrics-*)
#   openssl                 throwaway TLS files for starting the compiled service to READY
#                           (test/firmware/device-start.ts: the build test and the deploy bench)
#   python3, make, g++      node-gyp builds the native modules (pcsclite, unix-dgram, …); python3 is
#                           also the sd_notify test's independent datagram receiver (SO_PASSCRED)
# With --arm64 also (not in CI: the board's image is built by hand, firmware/README.md):
#   qemu-user-static, binfmt-support   run the arm64 root's programs while building it (mmdebstrap,
#                           the native modules' npm ci inside it): `firmware/build --arch arm64`
#   qemu-system-arm, qemu-efi-aarch64  its TCG smoke boot (UEFI on QEMU's virt machine)
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc systemd udev \
  socat tmux ffmpeg v4l-utils fonts-ipafont-gothic fonts-noto-cjk tesseract-ocr-jpn \
  mmdebstrap erofs-utils mtools dosfstools fdisk qemu-system-x86 qemu-utils ovmf prometheus \
  python3 make g++ pkg-config ca-certificates openssl
if [ "${1:-}" = --arm64 ]; then
  $SUDO apt-get install -y -q --no-install-recommends qemu-user-static binfmt-support qemu-system-arm qemu-efi-aarch64
fi
