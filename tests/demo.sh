#!/bin/sh
# make run: the demo on conf/demo.ini, state in ./var.
bin=$1; conf=$2
mkdir -p var
"$bin" -c "$conf" check
