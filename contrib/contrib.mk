# Integration and packaging targets (issue 5), included at the end of the Makefile: the man
# page, `make deb` (Debian package from contrib/debian), `make rpm` and `make rpm-spec-check`.
MAN_SRC := contrib/check_conntrack.1
# Packages are built in a copy of the tree under $(PKG_OUT) (ignored by git, as /build-*/).
PKG_OUT ?= build-pkg
RPMSPEC := contrib/rpm/check_conntrack.spec
TREE_EXCLUDES := --exclude=./.git --exclude='./build-*' --exclude='*.o' --exclude='*.a' \
	--exclude=./plugins/check_conntrack --exclude='./tests/unit/test_*[!c]'

# `make install` also installs the man page.
install: install-man

install-man:
	install -d $(DESTDIR)$(mandir)/man1
	sed 's/@VERSION@/$(VERSION)/g' $(MAN_SRC) >$(DESTDIR)$(mandir)/man1/check_conntrack.1
	chmod 0644 $(DESTDIR)$(mandir)/man1/check_conntrack.1

# A clean copy of this tree (working files, not only what is committed) in $(1).
define copy_tree
	rm -rf $(1) && mkdir -p $(1)
	tar -cf - $(TREE_EXCLUDES) . | tar -xf - -C $(1)
endef

deb:
	rm -rf $(PKG_OUT)/deb
	$(call copy_tree,$(PKG_OUT)/deb/check-conntrack-$(VERSION))
	cp -a contrib/debian $(PKG_OUT)/deb/check-conntrack-$(VERSION)/debian
	cd $(PKG_OUT)/deb/check-conntrack-$(VERSION) && dpkg-buildpackage -us -uc -b
	@ls -1 $(PKG_OUT)/deb/*.deb

rpm-spec-check:
	rpmspec -P $(RPMSPEC) >/dev/null
	@echo "$(RPMSPEC): rpmspec parses it"

# Builds the binary RPM with rpmbuild (on Debian: --nodeps, as rpm knows no installed packages).
rpm:
	rm -rf $(PKG_OUT)/rpm
	$(call copy_tree,$(PKG_OUT)/rpm/src/check_conntrack-$(VERSION))
	mkdir -p $(PKG_OUT)/rpm/SOURCES
	tar -czf $(PKG_OUT)/rpm/SOURCES/check_conntrack-$(VERSION).tar.gz -C $(PKG_OUT)/rpm/src \
		check_conntrack-$(VERSION)
	rpmbuild --nodeps --define '_topdir $(abspath $(PKG_OUT)/rpm)' \
		--define 'debug_package %{nil}' -bb $(RPMSPEC)
	@find $(PKG_OUT)/rpm/RPMS -name '*.rpm'

.PHONY: install-man deb rpm rpm-spec-check
