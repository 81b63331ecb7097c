from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province level")
    DISTRICT = 2, _("District level (before 1 July 2025)")
    COMMUNE = 3, _("Commune level")
    VILLAGE = 4, _("Village level")


class Kind(models.TextChoices):
    # Province level
    PROVINCE = "tinh", _("Province")
    CENTRAL_CITY = "thanh_pho_tw", _("Centrally governed city")
    # District level (legacy, abolished 1 July 2025)
    DISTRICT = "huyen", _("District")
    URBAN_DISTRICT = "quan", _("Urban district")
    TOWN = "thi_xa", _("District-level town")
    PROVINCIAL_CITY = "thanh_pho_thuoc_tinh", _("Provincial city")
    # Commune level
    COMMUNE = "xa", _("Commune")
    WARD = "phuong", _("Ward")
    SPECIAL_ZONE = "dac_khu", _("Special zone")
    TOWNSHIP = "thi_tran", _("Township (before 1 July 2025)")
    # Village level
    VILLAGE = "thon", _("Village (thôn)")
    HAMLET = "ban", _("Village (bản)")
    RESIDENTIAL_GROUP = "to_dan_pho", _("Residential group")
    AP = "ap", _("Village (ấp)")
    BUON = "buon", _("Village (buôn)")
    SOC = "soc", _("Village (sóc)")
    LANG = "lang", _("Village (làng)")
    KHOI = "khoi", _("Block (khối)")


LEVEL_OF_KIND: dict[str, int] = {
    Kind.PROVINCE: Level.PROVINCE,
    Kind.CENTRAL_CITY: Level.PROVINCE,
    Kind.DISTRICT: Level.DISTRICT,
    Kind.URBAN_DISTRICT: Level.DISTRICT,
    Kind.TOWN: Level.DISTRICT,
    Kind.PROVINCIAL_CITY: Level.DISTRICT,
    Kind.COMMUNE: Level.COMMUNE,
    Kind.WARD: Level.COMMUNE,
    Kind.SPECIAL_ZONE: Level.COMMUNE,
    Kind.TOWNSHIP: Level.COMMUNE,
    Kind.VILLAGE: Level.VILLAGE,
    Kind.HAMLET: Level.VILLAGE,
    Kind.RESIDENTIAL_GROUP: Level.VILLAGE,
    Kind.AP: Level.VILLAGE,
    Kind.BUON: Level.VILLAGE,
    Kind.SOC: Level.VILLAGE,
    Kind.LANG: Level.VILLAGE,
    Kind.KHOI: Level.VILLAGE,
}

VILLAGE_KINDS = [k for k, lvl in LEVEL_OF_KIND.items() if lvl == Level.VILLAGE]


class Source(models.TextChoices):
    OFFICIAL = "official", _("Official list (vietnam-provinces)")
    LEGACY = "legacy", _("Pre-reform list supplied by an administrator")
    LOCAL = "local", _("Kept by the commune")


class SuccessionKind(models.TextChoices):
    MERGED = "merged", _("Merged into")
    SPLIT = "split", _("Split into")
    RENAMED = "renamed", _("Renamed to")
    TRANSFERRED = "transferred", _("Transferred to")
