; The Windows installer of Stupeni (NSIS 3, 64-bit Unicode stub).
; makensis -DVERSION=x.y.z -DSTAGE=dir -DOUTFILE=file -DICON=file stupeni.nsi
; Per-machine: Program Files\Stupeni, Start-menu and desktop entries with
; the icon for all users, an uninstaller in Apps & features.  The uninstaller removes the program
; only: the center's data in %LOCALAPPDATA%\stupeni stays.
; The DejaVu Sans faces go into Windows' Fonts folder when not there yet:
; pango 1.50's Windows font map lists DirectWrite's system fonts only, so a
; font the program registers for itself (AddFontResourceEx) is never used.
; The uninstaller leaves them (other programs may use DejaVu too).
Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin
ManifestDPIAware true

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WinMessages.nsh"
!include "x64.nsh"

!define APPNAME "Stupeni"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Stupeni"
!define FONTSKEY "Software\Microsoft\Windows NT\CurrentVersion\Fonts"

; Puts FILE.ttf (from the staged share\fonts\dejavu) into $FONTS under the
; name NAME, unless a font of that name is installed already.
!macro InstallFont FILE NAME
  ReadRegStr $0 HKLM "${FONTSKEY}" "${NAME} (TrueType)"
  ${If} $0 == ""
  ${AndIfNot} ${FileExists} "$FONTS\${FILE}.ttf"
    CopyFiles /SILENT "$INSTDIR\share\fonts\dejavu\${FILE}.ttf" "$FONTS\${FILE}.ttf"
    WriteRegStr HKLM "${FONTSKEY}" "${NAME} (TrueType)" "${FILE}.ttf"
    System::Call 'gdi32::AddFontResourceW(w "$FONTS\${FILE}.ttf") i'
  ${EndIf}
!macroend

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
InstallDirRegKey HKLM "Software\${APPNAME}" "InstallDir"
BrandingText "${APPNAME} ${VERSION}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\bin\stupeni.exe"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Russian"
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_RUSSIAN} "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=${LANG_RUSSIAN} "FileDescription" "${APPNAME} ${VERSION}"
VIAddVersionKey /LANG=${LANG_RUSSIAN} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_RUSSIAN} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_RUSSIAN} "LegalCopyright" "GPL-3.0-or-later"

Function .onInit
  SetShellVarContext all
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "64-bit Windows is needed."
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Function un.onInit
  SetShellVarContext all
  SetRegView 64
FunctionEnd

Section "Stupeni" SecMain
  SectionIn RO
  ; An older version's files go first (the data is elsewhere).
  RMDir /r "$INSTDIR\bin"
  RMDir /r "$INSTDIR\lib"
  RMDir /r "$INSTDIR\share"
  SetOutPath "$INSTDIR"
  File /r "${STAGE}\*.*"
  File "/oname=$INSTDIR\stupeni.ico" "${ICON}"

  !insertmacro InstallFont "DejaVuSans" "DejaVu Sans"
  !insertmacro InstallFont "DejaVuSans-Bold" "DejaVu Sans Bold"
  !insertmacro InstallFont "DejaVuSans-Oblique" "DejaVu Sans Oblique"
  !insertmacro InstallFont "DejaVuSans-BoldOblique" "DejaVu Sans Bold Oblique"
  !insertmacro InstallFont "DejaVuSansMono" "DejaVu Sans Mono"
  !insertmacro InstallFont "DejaVuSansMono-Bold" "DejaVu Sans Mono Bold"
  SendMessage ${HWND_BROADCAST} ${WM_FONTCHANGE} 0 0 /TIMEOUT=1000

  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\bin\stupeni.exe" "" "$INSTDIR\stupeni.ico" 0
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\bin\stupeni.exe" "" "$INSTDIR\stupeni.ico" 0

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "Software\${APPNAME}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${APPNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\stupeni.ico"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$DESKTOP\${APPNAME}.lnk"
  RMDir /r "$INSTDIR\bin"
  RMDir /r "$INSTDIR\lib"
  RMDir /r "$INSTDIR\share"
  Delete "$INSTDIR\stupeni.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
  DeleteRegKey HKLM "Software\${APPNAME}"
  ; %LOCALAPPDATA%\stupeni (the center's database and backups) is kept.
SectionEnd
