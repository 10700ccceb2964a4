package wxlogin.bench.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import wxlogin.bench.floor.HelloWorld;
import wxlogin.bench.floor.StreamHelloWorld;

/**
 * Where things are, the way Lambda has them: the runtime client's jars (Lambda's
 * {@code /var/runtime/lib}, on the JVM's class path) and a task root per function (Lambda's
 * {@code /var/task}: classes at the root, {@code lib/*.jar}), which the runtime client loads with
 * its own class loader from the working directory.
 */
public final class Layout {

    private Layout() {
    }

    /** The runtime client's jars, sorted: the JVM's class path. */
    public static List<Path> runtimeJars(Path runtimeDir) {
        try (Stream<Path> files = Files.list(runtimeDir)) {
            List<Path> jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            if (jars.stream().noneMatch(p -> p.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))) {
                throw new IllegalStateException("no runtime interface client jar in " + runtimeDir
                        + " (build the benchmarks module first: mvn -pl benchmarks -am package -DskipTests)");
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The runtime client's JNI library for this machine, unpacked once next to the jars. Lambda
     * passes its path as a system property too, so no start pays for unpacking it.
     */
    public static Path jniLibrary(Path runtimeDir) {
        String arch = System.getProperty("os.arch");
        String name = switch (arch) {
            case "amd64", "x86_64" -> "libaws-lambda-jni.linux-x86_64.so";
            case "aarch64", "arm64" -> "libaws-lambda-jni.linux-aarch_64.so";
            default -> throw new IllegalStateException("the runtime client ships no JNI library for " + arch);
        };
        Path target = runtimeDir.resolve("jni").resolve(name);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path ric = runtimeJars(runtimeDir).stream()
                .filter(p -> p.getFileName().toString().startsWith("aws-lambda-java-runtime-interface-client"))
                .findFirst().orElseThrow();
        try (JarFile jar = new JarFile(ric.toFile()); InputStream in = jar.getInputStream(jar.getEntry("jni/" + name))) {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), name, ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + name + " from " + ric, e);
        }
    }

    /**
     * Lays out a functions/ folder built the way {@code sam build} builds it
     * ({@code target/classes} and {@code target/dependency/*.jar}) as a task root.
     */
    public static Path taskFromSamBuild(Path functionsDir, Path taskDir) {
        Path classes = functionsDir.resolve("target/classes");
        Path deps = functionsDir.resolve("target/dependency");
        if (!Files.isDirectory(classes) || !Files.isDirectory(deps)) {
            throw new IllegalArgumentException(functionsDir + " has no target/classes and target/dependency: run "
                    + "mvn clean install and mvn dependency:copy-dependencies -DincludeScope=runtime there first");
        }
        deleteTree(taskDir);
        copyTree(classes, taskDir);
        copyTree(deps, taskDir.resolve("lib"));
        return taskDir;
    }

    /**
     * The floors' task root: {@link HelloWorld}, {@link StreamHelloWorld} and aws-lambda-java-core,
     * nothing else (each is started with its own handler string; neither loads the other).
     */
    public static Path floorTask(Path functionsTask, Path floorDir) {
        return handlerTask(functionsTask, floorDir, List.of(HelloWorld.class, StreamHelloWorld.class),
                List.of("aws-lambda-java-core-"));
    }

    /**
     * A task root of these handler classes (top-level classes without nested ones, copied from the
     * harness's class path) and the functions' jars whose names start with {@code jarPrefixes}.
     */
    public static Path handlerTask(Path functionsTask, Path dir, List<Class<?>> handlers, List<String> jarPrefixes) {
        try {
            deleteTree(dir);
            for (Class<?> handler : handlers) {
                String classFile = handler.getName().replace('.', '/') + ".class";
                Path target = dir.resolve(classFile);
                Files.createDirectories(target.getParent());
                try (InputStream in = handler.getClassLoader().getResourceAsStream(classFile)) {
                    Files.copy(in, target);
                }
            }
            Path lib = Files.createDirectories(dir.resolve("lib"));
            for (String prefix : jarPrefixes) {
                try (Stream<Path> jars = Files.list(functionsTask.resolve("lib"))) {
                    Path jar = jars.filter(p -> p.getFileName().toString().startsWith(prefix))
                            .findFirst().orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + functionsTask));
                    Files.copy(jar, lib.resolve(jar.getFileName()));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes of every file under {@code dir}: the deployment artifact's unzipped size. */
    public static long size(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Number of jars in the task root's lib/. */
    public static long jarCount(Path taskDir) {
        try (Stream<Path> files = Files.list(taskDir.resolve("lib"))) {
            return files.filter(p -> p.toString().endsWith(".jar")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyTree(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
