/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PTUNCTL_VERSION
#define PTUNCTL_VERSION "0.1.0"
#endif
