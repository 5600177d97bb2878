# Integration and packaging targets (issue 5), included at the end of the Makefile: the man
# page, `make dist` (the release tarball), `make deb` (Debian package from contrib/debian),
# `make rpm` and `make rpm-spec-check`.
MAN_SRC := contrib/check_conntrack.1
# Packages are built from the release tarball under $(PKG_OUT) (ignored by git, as /build-*/).
PKG_OUT ?= build-pkg
RPMSPEC := contrib/rpm/check_conntrack.spec
DIST := check_conntrack-$(VERSION)

# `make install` also installs the man page, with the version filled in.
install: install-man
uninstall: uninstall-man

install-man:
	install -d $(DESTDIR)$(mandir)/man1
	sed 's/@VERSION@/$(VERSION)/g' $(MAN_SRC) >$(DESTDIR)$(mandir)/man1/check_conntrack.1
	chmod 0644 $(DESTDIR)$(mandir)/man1/check_conntrack.1

uninstall-man:
	rm -f $(DESTDIR)$(mandir)/man1/check_conntrack.1

# The release tarball $(1) holds exactly what git tracks (as it is in the work tree), under
# check_conntrack-VERSION/: never build output or files git does not know.
define dist_tarball
	@git rev-parse --is-inside-work-tree >/dev/null 2>&1 || \
		{ echo "$@: needs the git checkout (the tarball is what git tracks)" >&2; exit 1; }
	git ls-files -z | tar --null -T - --transform='s,^,$(DIST)/,S' --owner=0 --group=0 \
		--numeric-owner --sort=name -czf $(1)
endef

dist:
	$(call dist_tarball,$(DIST).tar.gz)
	@echo $(DIST).tar.gz

# The packaging files carry the version too (a changelog entry per release): they must agree.
version-check:
	@v=$$(dpkg-parsechangelog -l contrib/debian/changelog -S Version 2>/dev/null || \
		sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' contrib/debian/changelog); \
	[ "$$v" = "$(VERSION)" ] || { echo "contrib/debian/changelog is at $$v, the Makefile at" \
		"$(VERSION): add a changelog entry" >&2; exit 1; }
	@v=$$(sed -n 's/^Version:[[:space:]]*//p' $(RPMSPEC)); \
	[ "$$v" = "$(VERSION)" ] || { echo "$(RPMSPEC) says Version $$v, the Makefile" \
		"$(VERSION)" >&2; exit 1; }
	@v=$$(sed -n '/^%changelog/{n;s/.* - \([^ -]*\)-[^ -]*$$/\1/p;q}' $(RPMSPEC)); \
	[ "$$v" = "$(VERSION)" ] || { echo "$(RPMSPEC): the newest %changelog entry is $$v," \
		"the Makefile $(VERSION)" >&2; exit 1; }

deb: version-check
	rm -rf $(PKG_OUT)/deb
	mkdir -p $(PKG_OUT)/deb
	$(call dist_tarball,$(PKG_OUT)/deb/$(DIST).tar.gz)
	tar -xzf $(PKG_OUT)/deb/$(DIST).tar.gz -C $(PKG_OUT)/deb
	mv $(PKG_OUT)/deb/$(DIST) $(PKG_OUT)/deb/check-conntrack-$(VERSION)
	cp -a contrib/debian $(PKG_OUT)/deb/check-conntrack-$(VERSION)/debian
	cd $(PKG_OUT)/deb/check-conntrack-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls -1 $(PKG_OUT)/deb/*.deb

rpm-spec-check:
	rpmspec -P $(RPMSPEC) >/dev/null
	@echo "$(RPMSPEC): rpmspec parses it"

# Builds the binary RPM with rpmbuild from the release tarball. On Debian: --nodeps, as rpm
# knows no installed packages, and contrib/rpm/debian-host.macros for what Fedora's build
# does and Debian's rpm does not (debuginfo, stripping, compressed man pages).
rpm: version-check
	rm -rf $(PKG_OUT)/rpm
	mkdir -p $(PKG_OUT)/rpm/SOURCES
	$(call dist_tarball,$(PKG_OUT)/rpm/SOURCES/$(DIST).tar.gz)
	rpmbuild --nodeps --define '_topdir $(abspath $(PKG_OUT)/rpm)' \
		$(if $(wildcard /etc/debian_version),--load contrib/rpm/debian-host.macros) \
		-bb $(RPMSPEC)
	@find $(PKG_OUT)/rpm/RPMS -name '*.rpm'

.PHONY: install-man uninstall-man dist version-check deb rpm rpm-spec-check
