package io.github.flinksagemaker.sql;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Which Maven artifacts a shaded jar bundles, found from the test class path (Maven resolves one
 * version of each artifact for all scopes, so the class path holds the bundled versions): a jar of
 * the local repository counts as bundled when every class of it is in the shaded jar, either
 * relocated under the shaded prefix or byte for byte where it is not relocated (a fork with the
 * same class names, such as org.lz4 and at.yawk.lz4, does not count twice). The jar's own
 * META-INF/maven entries cannot tell, as the SQL jar leaves them out.
 */
final class BundledArtifacts {
    private BundledArtifacts() {}

    /** The bundled artifacts as {@code group:artifact:version}, this project's own left out. */
    static List<String> of(JarFile shaded, String shadedPrefix) throws IOException {
        Path repository = localRepository();
        List<String> bundled = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            if (!path.startsWith(repository) || !entry.endsWith(".jar")) {
                continue;
            }
            // <group as directories>/<artifact>/<version>/<artifact>-<version>.jar; a classifier's
            // jar (native libraries, test jars) is not one the shade plugin takes in here.
            Path relative = repository.relativize(path);
            int n = relative.getNameCount();
            String artifact = relative.getName(n - 3).toString();
            String version = relative.getName(n - 2).toString();
            String group = relative.subpath(0, n - 3).toString().replace(File.separatorChar, '.');
            if (group.equals("io.github.flinksagemaker")
                    || !relative.getFileName()
                            .toString()
                            .equals(artifact + "-" + version + ".jar")) {
                continue;
            }
            if (allClassesIn(path, shaded, shadedPrefix)) {
                bundled.add(group + ":" + artifact + ":" + version);
            }
        }
        return bundled;
    }

    private static boolean allClassesIn(Path jar, JarFile shaded, String shadedPrefix)
            throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            List<JarEntry> classes =
                    file.stream()
                            .filter(e -> e.getName().endsWith(".class"))
                            .filter(e -> !e.getName().startsWith("META-INF/"))
                            .filter(e -> !e.getName().endsWith("module-info.class"))
                            .toList();
            return !classes.isEmpty()
                    && classes.stream().allMatch(e -> isIn(e, shaded, shadedPrefix));
        }
    }

    private static boolean isIn(JarEntry dependencyClass, JarFile shaded, String shadedPrefix) {
        if (!shadedPrefix.isEmpty()
                && shaded.getEntry(shadedPrefix + dependencyClass.getName()) != null) {
            return true;
        }
        ZipEntry same = shaded.getEntry(dependencyClass.getName());
        return same != null && same.getCrc() == dependencyClass.getCrc();
    }

    /** The local Maven repository, found from where JUnit's own jar lies in it. */
    private static Path localRepository() {
        try {
            Path junit =
                    Path.of(Test.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // <repository>/org/junit/jupiter/junit-jupiter-api/<version>/<jar>
            return junit.getParent().getParent().getParent().getParent().getParent().getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a class path entry (a jar, or target/classes) carries META-INF/{name}. */
    static boolean carries(String classPathEntry, String name) throws IOException {
        Path path = Path.of(classPathEntry);
        if (Files.isDirectory(path)) {
            return Files.isRegularFile(path.resolve("META-INF").resolve(name));
        }
        try (JarFile file = new JarFile(path.toFile())) {
            return file.getEntry("META-INF/" + name) != null;
        }
    }

    /**
     * The class path entries of this project's {@code module}: its jar (from the reactor or the
     * local repository) or its target/classes directory.
     */
    static List<String> entriesOfModule(String module) {
        List<String> found = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            String name = path.getFileName().toString();
            boolean jar = name.matches(java.util.regex.Pattern.quote(module) + "-\\d.*\\.jar");
            boolean classes =
                    name.equals("classes")
                            && path.getNameCount() > 2
                            && path.getParent().getFileName().toString().equals("target")
                            && path.getParent().getParent().getFileName().toString().equals(module);
            if (jar || classes) {
                found.add(entry);
            }
        }
        return found;
    }
}
