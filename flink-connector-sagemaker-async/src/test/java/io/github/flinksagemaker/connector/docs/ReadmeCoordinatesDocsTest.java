package io.github.flinksagemaker.connector.docs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's Maven coordinates and compatibility table say what the poms build: the group, the
 * version, each module's artifact ID, and the Flink, Java and AWS SDK versions.
 */
class ReadmeCoordinatesDocsTest {
    private static String readme;
    private static Element parent;
    private static String groupId;
    private static String version;

    @BeforeAll
    static void read() throws Exception {
        readme = Files.readString(Path.of("..", "README.md"));
        parent = pom(Path.of("..", "pom.xml"));
        groupId = child(parent, "groupId");
        version = child(parent, "version");
    }

    @Test
    void givesEachShippedArtifactWithTheBuildsGroupAndVersion() throws Exception {
        for (String module :
                new String[] {
                    "flink-connector-sagemaker-async",
                    "flink-sql-connector-sagemaker-async",
                    "sagemaker-async-local"
                }) {
            String artifactId = child(pom(Path.of("..", module, "pom.xml")), "artifactId");
            assertThat(readme).contains("`" + groupId + ":" + artifactId + ":" + version + "`");
        }
        assertThat(readme)
                .contains(
                        "<groupId>"
                                + groupId
                                + "</groupId>\n"
                                + "    <artifactId>flink-connector-sagemaker-async</artifactId>\n"
                                + "    <version>"
                                + version
                                + "</version>")
                .contains("flink-sql-connector-sagemaker-async-" + version + ".jar");
    }

    @Test
    void theCompatibilityTableGivesTheVersionsTheBuildUses() {
        Element properties = (Element) parent.getElementsByTagName("properties").item(0);
        assertThat(readme)
                .contains("| Apache Flink | " + child(properties, "flink.version") + " ")
                .contains("| Java | " + child(properties, "maven.compiler.release") + " |")
                .contains("| AWS SDK for Java 2.x | " + child(properties, "aws.sdk.version") + " ")
                .contains("`flink-connector-kafka` " + child(properties, "flink.kafka.version"))
                .contains(
                        "<artifactId>flink-streaming-java</artifactId>\n    <version>"
                                + child(properties, "flink.version")
                                + "</version>");
    }

    private static Element pom(Path path) throws Exception {
        Document document =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(path.toFile());
        return document.getDocumentElement();
    }

    /** The text of {@code element}'s direct child {@code name} (not a parent's or a plugin's). */
    private static String child(Element element, String name) {
        for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element && node.getNodeName().equals(name)) {
                return node.getTextContent().trim();
            }
        }
        throw new AssertionError("no <" + name + "> in <" + element.getNodeName() + ">");
    }
}
