package dev.kiln.inspector;

/**
 * A fixed structure of the boot area or a table, for layout listings and overlap checks.
 *
 * @param name {@code BOOT_AREA}, {@code BOOT_RECORD}, {@code TOOLS_AREA}, {@code BOOT2}, {@code
 *     HASHES_TABLE}, {@code ITOC_HEADER} (header + entries), {@code DTOC_HEADER} (header + entries)
 * @param offset file offset
 * @param size size in bytes; 0 when unknown (the boot record's size is chip-specific)
 */
public record Structure(String name, long offset, long size) {}
