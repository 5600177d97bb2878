# The subcheck modules' test driver (tests/kernel/probe.c), for kernel suites: sourced after
# tests/lib/tap.sh. build_probe DIR builds it as DIR/probe ($PROBE) against the tree's libcheck.a.
build_probe() {
	PROBE=$1/probe
	make -s -C "$TOP" libcheck.a >/dev/null &&
		cc -std=c11 -D_GNU_SOURCE -O2 -I"$TOP/common" -I"$TOP/plugins/check_conntrack.d" \
			-DCT_VERSION='"test"' -o "$PROBE" "$TOP/tests/kernel/probe.c" \
			"$TOP/libcheck.a" $(pkg-config --cflags --libs libmnl) -lm
}
