"""Name material for synthetic children: common Pakistani given names with the spelling
variants clerks actually write, their Urdu spelling, and family names by region.

Each entry is (Latin spelling variants, Urdu spelling). The generator combines them at random,
so no generated record is a real person's.
"""

from __future__ import annotations

Name = tuple[tuple[str, ...], str]

BOYS: list[Name] = [
    (("Muhammad", "Mohammad", "Muhammed", "Mohammed", "Mohd"), "محمد"),
    (("Ahmed", "Ahmad"), "احمد"),
    (("Ali",), "علی"),
    (("Hassan", "Hasan"), "حسن"),
    (("Hussain", "Husain", "Hussein"), "حسین"),
    (("Bilal",), "بلال"),
    (("Usman", "Osman", "Uthman"), "عثمان"),
    (("Hamza", "Hamzah"), "حمزہ"),
    (("Yousaf", "Yusuf", "Yousuf"), "یوسف"),
    (("Zain", "Zayn"), "زین"),
    (("Imran",), "عمران"),
    (("Abdullah",), "عبداللہ"),
    (("Umar", "Omar"), "عمر"),
    (("Saad",), "سعد"),
    (("Rizwan",), "رضوان"),
    (("Tariq", "Tarik"), "طارق"),
    (("Faisal",), "فیصل"),
    (("Junaid",), "جنید"),
    (("Shahzaib", "Shahzeb"), "شاہزیب"),
    (("Arslan",), "ارسلان"),
    (("Waqas",), "وقاص"),
    (("Danish",), "دانش"),
    (("Asad",), "اسد"),
    (("Haider", "Hyder"), "حیدر"),
    (("Noman", "Nouman"), "نعمان"),
    (("Irfan",), "عرفان"),
    (("Kashif",), "کاشف"),
    (("Sajid",), "ساجد"),
    (("Wali",), "ولی"),
    (("Gul",), "گل"),
    (("Naveed", "Navid"), "نوید"),
    (("Adnan",), "عدنان"),
    (("Shoaib",), "شعیب"),
    (("Fahad", "Fahd"), "فہد"),
    (("Raza",), "رضا"),
    (("Ismail", "Ismaeel"), "اسماعیل"),
]

GIRLS: list[Name] = [
    (("Ayesha", "Aisha", "Aysha", "Ayisha"), "عائشہ"),
    (("Fatima", "Fatma", "Fatimah"), "فاطمہ"),
    (("Zainab", "Zaynab"), "زینب"),
    (("Maryam", "Mariam", "Mariyam"), "مریم"),
    (("Khadija", "Khadeeja", "Khadijah"), "خدیجہ"),
    (("Sana", "Sanaa"), "ثنا"),
    (("Iqra",), "اقرا"),
    (("Hira",), "حرا"),
    (("Noor", "Nur"), "نور"),
    (("Amna", "Aamna", "Amina"), "آمنہ"),
    (("Rabia", "Rabiya"), "رابعہ"),
    (("Sidra",), "سدرہ"),
    (("Mehwish", "Mahwish"), "مہوش"),
    (("Laiba",), "لائبہ"),
    (("Areeba", "Ariba"), "عریبہ"),
    (("Hafsa", "Hafsah"), "حفصہ"),
    (("Saima",), "صائمہ"),
    (("Bushra",), "بشریٰ"),
    (("Kiran",), "کرن"),
    (("Shazia",), "شازیہ"),
    (("Nazia",), "نازیہ"),
    (("Anum", "Anam"), "انعم"),
    (("Mahnoor", "Mehnoor"), "ماہ نور"),
    (("Shabana",), "شبانہ"),
    (("Parveen", "Perveen"), "پروین"),
    (("Rukhsana",), "رخسانہ"),
    (("Gul", "Gull"), "گل"),
    (("Zarmeena", "Zarmina"), "زرمینہ"),
    (("Sakina", "Sakeena"), "سکینہ"),
    (("Bibi",), "بی بی"),
]

# Second parts of girls' names ("Fatima Bibi", "Ayesha Noor") and of boys' ("Muhammad Bilal").
GIRL_SUFFIXES: list[Name] = [
    (("Bibi",), "بی بی"), (("Noor",), "نور"), (("Batool",), "بتول"), (("Naz",), "ناز"),
]

FATHERS: list[Name] = [
    (("Muhammad Aslam", "Mohammad Aslam"), "محمد اسلم"),
    (("Ghulam Rasool", "Ghulam Rasul"), "غلام رسول"),
    (("Abdul Rehman", "Abdul Rahman", "Abdur Rehman"), "عبدالرحمٰن"),
    (("Allah Ditta", "Allah Dita"), "اللہ دتہ"),
    (("Khan Muhammad",), "خان محمد"),
    (("Sher Ali",), "شیر علی"),
    (("Nazir Ahmed", "Nazir Ahmad", "Nazeer Ahmed"), "نذیر احمد"),
    (("Bashir Ahmed", "Bashir Ahmad"), "بشیر احمد"),
    (("Manzoor Hussain", "Manzoor Husain"), "منظور حسین"),
    (("Javed Iqbal", "Javaid Iqbal"), "جاوید اقبال"),
    (("Shahid Mehmood", "Shahid Mahmood"), "شاہد محمود"),
    (("Pervaiz Akhtar", "Parvez Akhtar"), "پرویز اختر"),
    (("Riaz Ahmed",), "ریاض احمد"),
    (("Abdul Ghaffar", "Abdul Ghafar"), "عبدالغفار"),
    (("Noor Muhammad", "Nur Muhammad"), "نور محمد"),
    (("Karim Bakhsh", "Karim Bux"), "کریم بخش"),
    (("Ali Nawaz",), "علی نواز"),
    (("Qadir Bakhsh", "Qadir Bux"), "قادر بخش"),
    (("Gul Zaman",), "گل زمان"),
    (("Zahid Hussain",), "زاہد حسین"),
    (("Muhammad Ashraf", "Mohammad Ashraf"), "محمد اشرف"),
    (("Liaquat Ali", "Liaqat Ali"), "لیاقت علی"),
    (("Sultan Mehmood", "Sultan Mahmood"), "سلطان محمود"),
    (("Fazal Rahim", "Fazal Raheem"), "فضل رحیم"),
    (("Dost Muhammad",), "دوست محمد"),
    (("Ghulam Hyder", "Ghulam Haider"), "غلام حیدر"),
    (("Abdul Qayyum", "Abdul Qayum"), "عبدالقیوم"),
    (("Muhammad Yaqoob", "Muhammad Yaqub"), "محمد یعقوب"),
]

# Family / tribal names, by the p-code province digit of the district.
FAMILY_BY_PROVINCE: dict[str, list[Name]] = {
    "1": [(("Mir",), "میر"), (("Abbasi",), "عباسی"), (("Rathore",), "راٹھور"), (("Sudhan",), "سدھن")],
    "2": [(("Baloch",), "بلوچ"), (("Marri",), "مری"), (("Bugti",), "بگٹی"), (("Kakar",), "کاکڑ"),
          (("Mengal",), "مینگل"), (("Achakzai",), "اچکزئی")],
    "3": [(("Baig", "Beg"), "بیگ"), (("Shah",), "شاہ"), (("Balti",), "بلتی")],
    "4": [(("Abbasi",), "عباسی"), (("Qureshi", "Qureshy"), "قریشی"), (("Awan",), "اعوان")],
    "5": [(("Khan",), "خان"), (("Khattak",), "خٹک"), (("Yousafzai", "Yusufzai"), "یوسفزئی"),
          (("Afridi",), "آفریدی"), (("Shinwari",), "شنواری"), (("Wazir",), "وزیر")],
    "6": [(("Butt", "Bhatt"), "بٹ"), (("Awan",), "اعوان"), (("Chaudhry", "Chaudhary"), "چوہدری"),
          (("Malik",), "ملک"), (("Rajput",), "راجپوت"), (("Ansari",), "انصاری")],
    "7": [(("Memon",), "میمن"), (("Soomro", "Sumro"), "سومرو"), (("Jatoi",), "جتوئی"),
          (("Chandio",), "چانڈیو"), (("Leghari",), "لغاری"), (("Shaikh", "Sheikh"), "شیخ")],
}

STREETS = ["Mohalla Islamabad", "Gulshan Colony", "Model Town", "Purana Shehar", "Railway Colony",
           "Basti Jadeed", "Chak", "Goth", "Kili", "Mohalla Qazi"]
