package io.spillway.auth;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {
  @RepeatedTest(50)
  void generatedKeysParseBackToTheirIdWhateverTheSecretContains() {
    long id = 505606714880910337L;
    String key = ApiKeys.generate(id);
    assertEquals(id, ApiKeys.idOf(key));
    String prefix = ApiKeys.prefix(key);
    assertTrue(key.startsWith(prefix.substring(0, prefix.length() - 3)));
    assertEquals(("sk_" + id + "_").length() + 4 + 3, prefix.length());
    assertTrue(ApiKeys.matches(key, ApiKeys.hash(key)));
  }

  @Test
  void malformedKeysHaveNoId() {
    for (String bad : new String[] {null, "", "sk_", "sk_12", "sk_x_" + "a".repeat(43), "pk_1_" + "a".repeat(43),
        "sk_1_" + "a".repeat(42), "sk_-1_" + "a".repeat(43), "sk_1_" + "a".repeat(200)}) {
      assertEquals(-1, ApiKeys.idOf(bad), String.valueOf(bad));
    }
  }
}
