package dev.kiln.inspector;

/**
 * The two image formats Kiln reads, told apart by the magic at a search offset (fs4-format.md §3:
 * mstflint looks for the FS4 magic first and for the FS3 magic only when there is none; mstflint
 * 4.21 mlxfwops/lib/fw_ops.cpp, FwOperations::GetFwFormat, IsFS4Image then IsFS3OrFS2Image).
 *
 * <p>What they share is parsed by one code path (BOOT2, ITOC header and entry, section CRCs,
 * IMAGE_INFO, MFG_INFO, DEV_INFO); where they differ:
 *
 * <table>
 *   <caption>FS4 and FS3 differences</caption>
 *   <tr><th></th><th>FS4 (ConnectX-5 onwards)</th><th>FS3 (ConnectX-4, ConnectX-4 Lx)</th></tr>
 *   <tr><td>format</td><td>image_format_version 1 at +0x10.24-31</td><td>image format 3 at
 *       +0x24.24-31 (the "format dword", which also holds log2 chunk size and bin version)</td></tr>
 *   <tr><td>pointers</td><td>16 HW pointers at +0x18, tools area</td><td>none; BOOT2 at
 *       +0x38</td></tr>
 *   <tr><td>ITOC</td><td>at toc_ptr or toc_ptr + 0x1000</td><td>first valid one at a 4 KiB
 *       boundary from the end of BOOT2 on</td></tr>
 *   <tr><td>device data</td><td>DTOC at file size − 0x1000</td><td>in the ITOC: entries with
 *       relative_addr 0 (absolute offsets) and device_data 1</td></tr>
 *   <tr><td>entry dword 0x18</td><td>crc mode 0x18.16-18</td><td>no_crc 0x18.16, device_data
 *       0x18.17</td></tr>
 * </table>
 */
public enum ImageFormat {
  FS4,
  FS3;

  /** The 16 magic bytes an image of this format starts with. */
  public byte[] magic() {
    return this == FS4 ? dev.kiln.inspector.format.Fs4Magic.fs4Bytes()
        : dev.kiln.inspector.format.Fs4Magic.fs3Bytes();
  }
}
