/**
 * MFA2 archives: read ({@link dev.kiln.packages.mfa2.Mfa2Reader}), written ({@link
 * dev.kiln.packages.mfa2.Mfa2Writer}) and built from FS4 images as mstarchive builds them ({@link
 * dev.kiln.packages.mfa2.Mfa2Images}). The format is described in {@link
 * dev.kiln.packages.mfa2.Mfa2Archive}; the component for a device is picked by its PSID as the
 * kernel picks it ({@link dev.kiln.packages.mfa2.Mfa2Archive#componentsFor}).
 */
package dev.kiln.packages.mfa2;
