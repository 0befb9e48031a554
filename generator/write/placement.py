"""Where the file system puts the inodes of a build's new files and folders (issue #19, cold builds).

A cold build creates ~3,100 inodes at 1,000 posts (1,030 files, 2,061 folders). On ext4 without a
journal (this project's CI/bench VM, many container images), allocating an inode skips every free
inode of the group that was deleted in the last 60 s (`recently_deleted` in fs/ext4/ialloc.c, one
buffer lookup each): after `rm -rf _site`, or beside other processes that delete files, each create
walked thousands of them, 300–700 µs of system time per mkdir or open(O_CREAT) against ~20 µs.
ext4 puts a new inode in its parent folder's group, and a folder whose parent carries the "top of
hierarchy" flag (`chattr +T`, FS_TOPDIR_FL) in a group the Orlov allocator picks among the least
used ones, starting from a hash of its name. So:

- the staging folder is made under a new random name in the destination, which carries +T, and
  renamed to `.blog-staging`: every file spooled into it lands in a little-used group;
- new output folders are made inside the staging folder and renamed into place (`Folders`), so
  their inodes (and those of the files later renamed into them) are there too.

A rename moves no inode and costs ~10 µs. Nothing else changes: the same folders and files end up
in the same places, the journal's steps and proofs are the same. Elsewhere (journaled ext4, other
file systems, other systems) the flag is refused or merely a placement hint: errors are ignored."""

from __future__ import annotations

import array
import os
import sys
from pathlib import Path

from generator.write.safepath import STAGING

FS_IOC_GETFLAGS = 0x80086601  # _IOR('f', 1, long): the kernel reads and writes an int
FS_IOC_SETFLAGS = 0x40086602
FS_TOPDIR_FL = 0x00020000
SCRATCH_PREFIX = f"{STAGING}."  # the staging folder's name before its rename (journal.recover removes leftovers)


def spread_below(folder: Path) -> bool:
    """Mark `folder` as a top of hierarchy (ext2/3/4): folders made in it are placed by the
    Orlov allocator in little-used groups instead of its own group. True when it is marked."""
    if not sys.platform.startswith("linux"):
        return False
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        flags = array.array("i", [0])
        fcntl.ioctl(fd, FS_IOC_GETFLAGS, flags, True)
        if not flags[0] & FS_TOPDIR_FL:
            flags[0] |= FS_TOPDIR_FL
            fcntl.ioctl(fd, FS_IOC_SETFLAGS, flags, True)
        return True
    except OSError:  # not ext2/3/4 (ENOTTY, EOPNOTSUPP), not the owner (EPERM): no matter
        return False
    finally:
        os.close(fd)


def make_staging(destination: Path) -> Path:
    """The destination's staging folder, made if missing (see the module's docstring for why it
    is made under another name first). The destination must exist."""
    staging = destination / STAGING
    if os.path.isdir(staging):
        return staging
    if spread_below(destination):
        scratch = destination / f"{SCRATCH_PREFIX}{os.urandom(8).hex()}"
        try:
            os.mkdir(scratch)
        except OSError:
            pass  # (a name taken: the plain way below)
        else:
            try:
                os.rename(scratch, staging)  # (replaces an empty staging folder: the same thing)
                return staging
            except OSError:
                os.rmdir(scratch)  # a staging folder with files in it already: keep that one
    try:
        os.mkdir(staging)
    except FileExistsError:
        if not staging.is_dir():
            raise
    return staging


class Folders:
    """Makes the folders of the renamed files, each with exactly one mkdir call, parents first: a
    cold build of 1,000 posts needs ~2,000 folders, and `Path.mkdir(parents=True, exist_ok=True)`
    per file also tried each missing folder before its parent (ENOENT) and again after (3,100 calls).
    With `scratch` (the staging folder), each is made there under a scratch name and renamed into
    place, so its inode lands in the staging folder's group (see above); a kill in between leaves
    an empty folder in the staging folder, which is removed with it."""

    def __init__(self, root: str, scratch: str | None = None) -> None:
        self.root = root
        self.scratch = scratch
        self.made: set[str] = {""}  # destination-relative folders known to exist ("": the destination)
        self.fresh: set[str] = set()  # … of which made by this object
        self.renamed = 0  # folders made in the scratch folder and renamed into place: what tests count

    def make(self, folder: str) -> None:
        missing: list[str] = []  # (a loop, not recursion: a path may have a thousand levels)
        while folder not in self.made:
            missing.append(folder)
            folder = folder.rpartition("/")[0]
        for folder in reversed(missing):
            path = os.path.join(self.root, folder)
            # Below a folder made here nothing exists yet: no need to look.
            if folder.rpartition("/")[0] not in self.fresh and os.path.isdir(path):
                pass  # there already (a rebuild): one stat, where a mkdir would fail the same
            elif self.scratch is not None and self._renamed_into(path):
                self.fresh.add(folder)
            else:
                try:
                    os.mkdir(path)
                    self.fresh.add(folder)
                except FileExistsError:
                    if not os.path.isdir(path):
                        raise
            self.made.add(folder)

    def _renamed_into(self, path: str) -> bool:
        assert self.scratch is not None
        temporary = os.path.join(self.scratch, f"folder.{self.renamed}")
        try:
            os.mkdir(temporary)
        except OSError:
            self.scratch = None  # no staging folder (a replayed journal's): make them in place
            return False
        try:
            os.rename(temporary, path)  # (an existing empty folder is replaced: the same thing)
        except OSError:
            os.rmdir(temporary)
            return False  # something is there already: the plain mkdir says what
        self.renamed += 1
        return True
