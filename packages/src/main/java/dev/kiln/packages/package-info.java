/**
 * Package formats that tools other than kiln read: MFA2 archives ({@code mfa2}) for the kernel's
 * {@code devlink dev flash}, mlxfwmanager and flint, and DSP0267 firmware-update packages
 * ({@code pldm}) for a BMC. A module of its own because neither the device emulator nor the host
 * burner needs these containers, and the XZ library stays out of every other module.
 */
package dev.kiln.packages;
