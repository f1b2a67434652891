#!/bin/sh
# Guest side of bench/compare: runs the CPU benchmark inside the guest.
/bin/cpubench
